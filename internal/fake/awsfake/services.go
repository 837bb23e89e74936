package awsfake

import "net/http"

// serveMore dispatches the services added for network, monitoring, edge
// and secret evidence; it reports false for anything it does not serve.
func (s *State) serveMore(w http.ResponseWriter, req *Request) bool {
	switch req.Service {
	case "secretsmanager":
		return s.serveSecretsManager(w, req)
	case "ssm":
		return s.serveSSM(w, req)
	case "monitoring":
		return s.serveCloudWatch(w, req)
	case "logs":
		return s.serveLogs(w, req)
	case "sns":
		return s.serveSNS(w, req)
	case "config":
		return s.serveConfig(w, req)
	case "wafv2":
		return s.serveWAFv2(w, req)
	case "apigateway":
		return s.serveAPIGateway(w, req)
	case "redshift":
		return s.serveRedshift(w, req)
	case "es":
		return s.serveOpenSearch(w, req)
	case "access-analyzer":
		return s.serveAccessAnalyzer(w, req)
	case "elasticfilesystem":
		return s.serveEFS(w, req)
	case "dynamodb":
		return s.serveDynamoDB(w, req)
	}
	return false
}
