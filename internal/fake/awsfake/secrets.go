package awsfake

import (
	"net/http"
	"time"
)

// Secrets holds the secret stores of an account: Secrets Manager secrets
// and SSM Parameter Store parameters (JSON 1.1 protocol).
type Secrets struct {
	Secrets    []Secret
	Parameters []Parameter
}

// A Secret is a Secrets Manager secret.
type Secret struct {
	Name   string
	Region string
	// RotationDays is the automatic rotation interval; 0 means rotation
	// is off.
	RotationDays int
	// LastRotated is zero when the secret was never rotated.
	LastRotated time.Time
	Created     time.Time
	// KMSKey is the customer managed key, "" for aws/secretsmanager.
	KMSKey string
	// Replicas are the regions the secret is replicated to.
	Replicas []string
}

// A Parameter is an SSM Parameter Store parameter.
type Parameter struct {
	Name   string
	Region string
	// Type is "String", "StringList" or "SecureString".
	Type     string
	Modified time.Time
}

func epoch(t time.Time) float64 { return float64(t.Unix()) }

func (s *State) secretARN(x Secret) string {
	return "arn:aws:secretsmanager:" + x.Region + ":" + s.AccountID + ":secret:" + x.Name + "-a1b2c3"
}

func (s *State) serveSecretsManager(w http.ResponseWriter, req *Request) bool {
	if req.Operation != "ListSecrets" {
		return false
	}
	xs := inRegion(s.Secrets.Secrets, req.Region, func(x Secret) string { return x.Region })
	items, next := page(xs, str(req.JSON, "NextToken"), s.PageSize)
	list := []map[string]any{}
	for _, x := range items {
		m := map[string]any{"ARN": s.secretARN(x), "Name": x.Name, "CreatedDate": epoch(x.Created),
			"LastChangedDate": epoch(x.Created), "RotationEnabled": x.RotationDays > 0, "PrimaryRegion": x.Region}
		if x.RotationDays > 0 {
			m["RotationLambdaARN"] = "arn:aws:lambda:" + x.Region + ":" + s.AccountID + ":function:rotate-" + x.Name
			m["RotationRules"] = map[string]any{"AutomaticallyAfterDays": x.RotationDays}
		}
		if !x.LastRotated.IsZero() {
			m["LastRotatedDate"] = epoch(x.LastRotated)
			m["LastChangedDate"] = epoch(x.LastRotated)
		}
		if x.KMSKey != "" {
			m["KmsKeyId"] = x.KMSKey
		}
		list = append(list, m)
	}
	out := map[string]any{"SecretList": list}
	if next != "" {
		out["NextToken"] = next
	}
	writeJSON(w, json11, out)
	return true
}

func (s *State) serveSSM(w http.ResponseWriter, req *Request) bool {
	if req.Operation != "DescribeParameters" {
		return false
	}
	ps := inRegion(s.Secrets.Parameters, req.Region, func(p Parameter) string { return p.Region })
	items, next := page(ps, str(req.JSON, "NextToken"), s.PageSize)
	list := []map[string]any{}
	for _, p := range items {
		m := map[string]any{"Name": p.Name, "ARN": "arn:aws:ssm:" + p.Region + ":" + s.AccountID + ":parameter/" + trimSlash(p.Name),
			"Type": p.Type, "LastModifiedDate": epoch(p.Modified), "Version": 1, "Tier": "Standard", "DataType": "text"}
		if p.Type == "SecureString" {
			m["KeyId"] = "alias/aws/ssm"
		}
		list = append(list, m)
	}
	out := map[string]any{"Parameters": list}
	if next != "" {
		out["NextToken"] = next
	}
	writeJSON(w, json11, out)
	return true
}

func trimSlash(s string) string {
	for len(s) > 0 && s[0] == '/' {
		s = s[1:]
	}
	return s
}
