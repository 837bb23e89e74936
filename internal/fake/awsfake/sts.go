package awsfake

import (
	"net/http"
	"strings"
	"time"
)

const stsNS = "https://sts.amazonaws.com/doc/2011-06-15/"

func (s *State) serveSTS(w http.ResponseWriter, req *Request) bool {
	switch req.Operation {
	case "GetCallerIdentity":
		queryResponse(w, req.Operation, stsNS, T("Arn", "arn:aws:iam::"+s.AccountID+":user/attest"),
			T("UserId", "AIDAFAKEATTEST"), T("Account", s.AccountID))
	case "AssumeRole":
		role := req.Form.Get("RoleArn")
		parts := strings.Split(role, ":")
		if len(parts) < 6 {
			writeError(w, req, http.StatusBadRequest, "ValidationError", "bad role ARN")
			return true
		}
		acct := parts[4]
		if _, ok := s.Members[acct]; !ok {
			writeError(w, req, http.StatusForbidden, "AccessDenied", "not authorized to perform sts:AssumeRole on "+role)
			return true
		}
		queryResponse(w, req.Operation, stsNS,
			E("Credentials", T("AccessKeyId", "ASIAFAKE"+acct), T("SecretAccessKey", "fake-secret"),
				T("SessionToken", "fake-session-token"), TS("Expiration", time.Now().Add(time.Hour))),
			E("AssumedRoleUser", T("Arn", "arn:aws:sts::"+acct+":assumed-role/"+parts[5]+"/attest"), T("AssumedRoleId", "AROAFAKE:attest")))
	default:
		return false
	}
	return true
}
