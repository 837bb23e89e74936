package awsfake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const elbNS = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"

// sslPolicyProtocols are the TLS versions of some ELB security policies.
var sslPolicyProtocols = map[string][]string{
	"ELBSecurityPolicy-2016-08":                  {"TLSv1", "TLSv1.1", "TLSv1.2"},
	"ELBSecurityPolicy-TLS-1-1-2017-01":          {"TLSv1.1", "TLSv1.2"},
	"ELBSecurityPolicy-TLS-1-2-2017-01":          {"TLSv1.2"},
	"ELBSecurityPolicy-TLS13-1-2-2021-06":        {"TLSv1.2", "TLSv1.3"},
	"ELBSecurityPolicy-TLS13-1-3-2021-06":        {"TLSv1.3"},
	"ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09": {"TLSv1.2", "TLSv1.3"},
}

func (s *State) lbARN(lb LoadBalancer) string {
	kind := "app"
	if lb.Type == "network" {
		kind = "net"
	}
	return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/%s/%s/50dc6c495c0c9188", lb.Region, s.AccountID, kind, lb.Name)
}

func (s *State) serveELBv2(w http.ResponseWriter, req *Request) bool {
	lbs := inRegion(s.LoadBalancers, req.Region, func(l LoadBalancer) string { return l.Region })
	next := func(n string) []Node {
		if n == "" {
			return nil
		}
		return []Node{T("NextMarker", n)}
	}
	switch req.Operation {
	case "DescribeLoadBalancers":
		items, n := page(lbs, req.Form.Get("Marker"), s.PageSize)
		var ns []Node
		for _, lb := range items {
			ns = append(ns, E("member", T("LoadBalancerArn", s.lbARN(lb)), T("LoadBalancerName", lb.Name), T("Type", lb.Type),
				T("Scheme", "internet-facing"), T("DNSName", lb.Name+"."+lb.Region+".elb.amazonaws.com"), E("State", T("Code", "active"))))
		}
		queryResponse(w, req.Operation, elbNS, append([]Node{E("LoadBalancers", ns...)}, next(n)...)...)
	case "DescribeListeners":
		arn := req.Form.Get("LoadBalancerArn")
		for _, lb := range lbs {
			if s.lbARN(lb) != arn {
				continue
			}
			items, n := page(lb.Listeners, req.Form.Get("Marker"), s.PageSize)
			var ns []Node
			for _, l := range items {
				action := E("member", T("Type", "forward"), T("TargetGroupArn", "arn:aws:elasticloadbalancing:"+lb.Region+":"+s.AccountID+":targetgroup/web/73e2d6bc24d8a067"))
				if l.RedirectHTTPS {
					action = E("member", T("Type", "redirect"), E("RedirectConfig", T("Protocol", "HTTPS"), T("Port", "443"), T("StatusCode", "HTTP_301")))
				}
				kids := []Node{T("ListenerArn", strings.Replace(s.lbARN(lb), ":loadbalancer/", ":listener/", 1)+"/"+strconv.Itoa(l.Port)),
					T("LoadBalancerArn", s.lbARN(lb)), I("Port", l.Port), T("Protocol", l.Protocol), E("DefaultActions", action)}
				if l.SSLPolicy != "" {
					kids = append(kids, T("SslPolicy", l.SSLPolicy))
				}
				ns = append(ns, E("member", kids...))
			}
			queryResponse(w, req.Operation, elbNS, append([]Node{E("Listeners", ns...)}, next(n)...)...)
			return true
		}
		writeError(w, req, http.StatusBadRequest, "LoadBalancerNotFound", "One or more load balancers not found")
	case "DescribeSSLPolicies":
		var ns []Node
		for i := 1; ; i++ {
			name := req.Form.Get("Names.member." + strconv.Itoa(i))
			if name == "" {
				break
			}
			ps, ok := sslPolicyProtocols[name]
			if !ok {
				writeError(w, req, http.StatusBadRequest, "SSLPolicyNotFound", "SSL policy "+name+" not found")
				return true
			}
			var pn []Node
			for _, p := range ps {
				pn = append(pn, T("member", p))
			}
			ns = append(ns, E("member", T("Name", name), E("SslProtocols", pn...)))
		}
		queryResponse(w, req.Operation, elbNS, E("SslPolicies", ns...))
	default:
		return false
	}
	return true
}

// cloudFrontOperation names a CloudFront REST request.
func cloudFrontOperation(r *http.Request) string {
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case r.Method == http.MethodGet && path == "/2020-05-31/distribution":
		return "ListDistributions"
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/2020-05-31/distribution/"):
		return "GetDistribution"
	case r.Method == http.MethodPost:
		return "CreateDistribution"
	case r.Method == http.MethodPut:
		return "UpdateDistribution"
	case r.Method == http.MethodDelete:
		return "DeleteDistribution"
	}
	return "Unknown" + r.Method
}

func (s *State) serveCloudFront(w http.ResponseWriter, req *Request) bool {
	if req.Operation != "ListDistributions" {
		return false
	}
	q := req.HTTP.URL.Query()
	items, next := page(s.Distributions, q.Get("Marker"), s.PageSize)
	var ns []Node
	for _, d := range items {
		vc := []Node{B("CloudFrontDefaultCertificate", true), T("MinimumProtocolVersion", "TLSv1"), T("CertificateSource", "cloudfront")}
		if d.MinimumProtocolVersion != "" {
			vc = []Node{B("CloudFrontDefaultCertificate", false),
				T("ACMCertificateArn", "arn:aws:acm:us-east-1:"+s.AccountID+":certificate/12345678-1234-1234-1234-123456789012"),
				T("SSLSupportMethod", "sni-only"), T("MinimumProtocolVersion", d.MinimumProtocolVersion), T("CertificateSource", "acm")}
		}
		ns = append(ns, E("DistributionSummary", T("Id", d.ID), T("ARN", "arn:aws:cloudfront::"+s.AccountID+":distribution/"+d.ID),
			T("Status", "Deployed"), T("DomainName", strings.ToLower(d.ID)+".cloudfront.net"), B("Enabled", true),
			E("DefaultCacheBehavior", T("TargetOriginId", "origin-1"), T("ViewerProtocolPolicy", d.ViewerProtocolPolicy)),
			E("CacheBehaviors", I("Quantity", 0)), E("ViewerCertificate", vc...), T("WebACLId", d.WebACL)))
	}
	kids := []Node{T("Marker", q.Get("Marker")), I("MaxItems", 100), B("IsTruncated", next != ""), I("Quantity", len(items))}
	if next != "" {
		kids = append(kids, T("NextMarker", next))
	}
	kids = append(kids, E("Items", ns...))
	writeXML(w, http.StatusOK, E(`DistributionList xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"`, kids...))
	return true
}

// backupOperation names an AWS Backup REST request.
func backupOperation(r *http.Request) string {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if r.Method != http.MethodGet {
		return "Write" + r.Method
	}
	switch {
	case len(parts) == 2 && parts[0] == "backup" && parts[1] == "plans":
		return "ListBackupPlans"
	case len(parts) == 3 && parts[0] == "backup" && parts[1] == "plans":
		return "GetBackupPlan"
	case len(parts) == 1 && parts[0] == "backup-vaults":
		return "ListBackupVaults"
	case len(parts) == 1 && parts[0] == "resources":
		return "ListProtectedResources"
	}
	return "Unknown" + r.Method
}

func (s *State) planARN(p BackupPlan) string {
	return "arn:aws:backup:" + p.Region + ":" + s.AccountID + ":backup-plan:" + p.ID
}

func (s *State) serveBackup(w http.ResponseWriter, req *Request) bool {
	plans := inRegion(s.BackupPlans, req.Region, func(p BackupPlan) string { return p.Region })
	q := req.HTTP.URL.Query()
	switch req.Operation {
	case "ListBackupPlans":
		items, next := page(plans, q.Get("nextToken"), s.PageSize)
		list := []map[string]any{}
		for _, p := range items {
			list = append(list, map[string]any{"BackupPlanId": p.ID, "BackupPlanArn": s.planARN(p), "BackupPlanName": p.Name,
				"VersionId": "ZjQ2ZTI5YWQtZDg5Yi00MzYzLWJmZTAtMDI1MzhlMDhjYjEz", "CreationDate": 1.7e9})
		}
		out := map[string]any{"BackupPlansList": list}
		if next != "" {
			out["NextToken"] = next
		}
		writeJSON(w, "application/json", out)
	case "GetBackupPlan":
		id := req.HTTP.URL.Path[strings.LastIndex(strings.TrimSuffix(req.HTTP.URL.Path, "/"), "/")+1:]
		id = strings.TrimSuffix(id, "/")
		for _, p := range plans {
			if p.ID != id {
				continue
			}
			rules := []map[string]any{}
			for _, r := range p.Rules {
				m := map[string]any{"RuleName": r.Name, "TargetBackupVaultName": "Default", "ScheduleExpression": r.Schedule,
					"RuleId": "rule-" + r.Name}
				if r.DeleteDays > 0 {
					m["Lifecycle"] = map[string]any{"DeleteAfterDays": r.DeleteDays}
				}
				if r.CopyTo != "" {
					m["CopyActions"] = []map[string]any{{"DestinationBackupVaultArn": r.CopyTo}}
				}
				rules = append(rules, m)
			}
			writeJSON(w, "application/json", map[string]any{"BackupPlanId": p.ID, "BackupPlanArn": s.planARN(p),
				"BackupPlan": map[string]any{"BackupPlanName": p.Name, "Rules": rules}})
			return true
		}
		writeError(w, req, http.StatusNotFound, "ResourceNotFoundException", "backup plan not found")
	case "ListProtectedResources":
		type protected struct {
			arn, typ string
			at       time.Time
		}
		var ps []protected
		for _, d := range inRegion(s.DBInstances, req.Region, func(d DBInstance) string { return d.Region }) {
			if !d.BackedUp.IsZero() {
				ps = append(ps, protected{"arn:aws:rds:" + d.Region + ":" + s.AccountID + ":db:" + d.ID, "RDS", d.BackedUp})
			}
		}
		for _, d := range inRegion(s.DBClusters, req.Region, func(d DBCluster) string { return d.Region }) {
			if !d.BackedUp.IsZero() {
				ps = append(ps, protected{"arn:aws:rds:" + d.Region + ":" + s.AccountID + ":cluster:" + d.ID, "Aurora", d.BackedUp})
			}
		}
		for _, v := range inRegion(s.Volumes, req.Region, func(v Volume) string { return v.Region }) {
			if !v.BackedUp.IsZero() {
				ps = append(ps, protected{"arn:aws:ec2:" + v.Region + ":" + s.AccountID + ":volume/" + v.ID, "EBS", v.BackedUp})
			}
		}
		items, next := page(ps, q.Get("nextToken"), s.PageSize)
		list := []map[string]any{}
		for _, p := range items {
			list = append(list, map[string]any{"ResourceArn": p.arn, "ResourceType": p.typ, "LastBackupTime": float64(p.at.Unix()),
				"LastBackupVaultArn": "arn:aws:backup:" + req.Region + ":" + s.AccountID + ":backup-vault:Default"})
		}
		out := map[string]any{"Results": list}
		if next != "" {
			out["NextToken"] = next
		}
		writeJSON(w, "application/json", out)
	case "ListBackupVaults":
		vs := inRegion(s.BackupVaults, req.Region, func(v BackupVault) string { return v.Region })
		items, next := page(vs, q.Get("nextToken"), s.PageSize)
		list := []map[string]any{}
		for _, v := range items {
			m := map[string]any{"BackupVaultName": v.Name, "BackupVaultArn": "arn:aws:backup:" + v.Region + ":" + s.AccountID + ":backup-vault:" + v.Name,
				"Locked": v.Locked, "NumberOfRecoveryPoints": v.RecoveryPoints, "CreationDate": 1.7e9}
			if v.KMSKey != "" {
				m["EncryptionKeyArn"] = v.KMSKey
				m["EncryptionKeyType"] = "CUSTOMER_MANAGED_KMS_KEY"
			}
			list = append(list, m)
		}
		out := map[string]any{"BackupVaultList": list}
		if next != "" {
			out["NextToken"] = next
		}
		writeJSON(w, "application/json", out)
	default:
		return false
	}
	return true
}
