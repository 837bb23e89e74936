package awsfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// A Request is an AWS API request as the fake understands it.
type Request struct {
	// Service is the signing name, e.g. "s3" or "iam".
	Service string
	// Region is the signing region.
	Region string
	// AccessKey is the access key id that signed the request.
	AccessKey string
	// Operation is the operation name, e.g. "GetBucketEncryption".
	Operation string
	// Form holds the parameters of a query protocol request.
	Form url.Values
	// JSON holds the body of a JSON protocol request.
	JSON map[string]any
	// Bucket is the S3 bucket of a path-style S3 request.
	Bucket string
	// HTTP is the underlying request.
	HTTP *http.Request

	// management is the organisation's management account when a member
	// account is served: its organisation trails are visible to members.
	management *State
}

// Op returns the operation in IAM notation, e.g. "s3:GetBucketEncryption".
func (r *Request) Op() string { return r.Service + ":" + r.Operation }

// Parse identifies the service, region and operation of r from its SigV4
// Authorization header and its protocol. It consumes the body.
func Parse(r *http.Request) (*Request, error) {
	req := &Request{HTTP: r}
	auth := r.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return nil, fmt.Errorf("request is not signed with SigV4")
	}
	scope := strings.SplitN(strings.SplitN(auth[i+len("Credential="):], ",", 2)[0], "/", 5)
	if len(scope) < 5 {
		return nil, fmt.Errorf("bad credential scope %q", auth)
	}
	req.AccessKey, req.Region, req.Service = scope[0], scope[2], scope[3]
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor":
		req.Operation = r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		if req.JSON, err = decodeCBOR(body); err != nil {
			return nil, err
		}
	case r.Header.Get("X-Amz-Target") != "":
		t := r.Header.Get("X-Amz-Target")
		dot := strings.LastIndex(t, ".")
		if dot < 0 {
			return nil, fmt.Errorf("bad X-Amz-Target %q", t)
		}
		req.Operation = t[dot+1:]
		req.JSON = map[string]any{}
		if len(body) > 0 {
			if err := json.Unmarshal(body, &req.JSON); err != nil {
				return nil, fmt.Errorf("decode JSON body: %w", err)
			}
		}
	case req.Service == "s3" && strings.HasPrefix(r.URL.Path, s3ControlPrefix):
		req.Service, req.Operation = "s3control", s3ControlOperation(r)
	case req.Service == "s3":
		req.Operation, req.Bucket = s3Operation(r)
	case req.Service == "guardduty":
		req.Operation = guardDutyOperation(r)
		if op := guardDutyFindingsOperation(r); op != "" {
			req.Operation, req.JSON = op, map[string]any{}
			if err := json.Unmarshal(body, &req.JSON); err != nil {
				return nil, fmt.Errorf("decode JSON body: %w", err)
			}
		}
	case req.Service == "cloudfront":
		req.Operation = cloudFrontOperation(r)
	case req.Service == "es":
		req.Operation, req.JSON = openSearchOperation(r, body)
	case req.Service == "apigateway":
		req.Operation = apiGatewayOperation(r)
	case req.Service == "backup":
		req.Operation = backupOperation(r)
	case req.Service == "access-analyzer":
		req.Operation = accessAnalyzerOperation(r)
	case req.Service == "elasticfilesystem":
		req.Operation = efsOperation(r)
	case req.Service == "securityhub":
		req.Operation, req.JSON = securityHubOperation(r), map[string]any{}
		if len(body) > 0 {
			if err := json.Unmarshal(body, &req.JSON); err != nil {
				return nil, fmt.Errorf("decode JSON body: %w", err)
			}
		}
	default:
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("decode query body: %w", err)
		}
		req.Form = form
		req.Operation = form.Get("Action")
	}
	if req.Operation == "" {
		return nil, fmt.Errorf("cannot name the %s operation of %s %s", req.Service, r.Method, r.URL)
	}
	return req, nil
}

// IsRead reports whether op (e.g. "iam:ListUsers") only reads.
// iam:GenerateCredentialReport counts as a read, as in the IAM service
// authorisation reference.
func IsRead(op string) bool {
	_, name, _ := strings.Cut(op, ":")
	for _, p := range []string{"Get", "List", "Describe", "Head"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return op == "iam:GenerateCredentialReport"
}

// NewHandler returns an http.Handler that serves s. Requests signed with
// credentials from sts:AssumeRole into a member account are served from
// that member's State.
func NewHandler(s *State) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := Parse(r)
		if err != nil && (errors.Is(err, io.ErrUnexpectedEOF) || r.Context().Err() != nil) {
			// The client gave up while sending the request (a cancelled
			// collection): nobody is left to answer.
			return
		}
		if err != nil {
			s.errorf("awsfake: %v", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		st := s
		if acct, ok := strings.CutPrefix(req.AccessKey, "ASIAFAKE"); ok {
			if m, ok := s.Members[acct]; ok {
				st, req.management = m, s
			}
		}
		if !IsRead(req.Op()) && req.Op() != "sts:AssumeRole" {
			s.errorf("awsfake: non-read operation %s (%s %s)", req.Op(), r.Method, r.URL)
			writeError(w, req, http.StatusInternalServerError, "NotReadOnly", "attest must not call "+req.Op())
			return
		}
		st.count(req.Op())
		if f, ok := st.Faults[req.Op()]; ok {
			if f.Block {
				if f.Arrived != nil {
					f.Arrived()
				}
				<-r.Context().Done()
				return
			}
			status := f.Status
			if status == 0 {
				status = http.StatusBadRequest
			}
			writeError(w, req, status, f.Code, "injected fault")
			return
		}
		var handled bool
		switch req.Service {
		case "s3":
			handled = st.serveS3(w, req) || st.serveS3Protection(w, req) || st.serveS3Logging(w, req)
		case "s3control":
			handled = st.serveS3Control(w, req)
		case "iam":
			handled = st.serveIAM(w, req)
		case "sts":
			handled = st.serveSTS(w, req)
		case "ec2":
			handled = st.serveEC2(w, req)
		case "rds":
			handled = st.serveRDS(w, req)
		case "kms":
			handled = st.serveKMS(w, req)
		case "cloudtrail":
			handled = st.serveCloudTrail(w, req)
		case "organizations":
			handled = st.serveOrganizations(w, req)
		case "guardduty":
			handled = st.serveGuardDuty(w, req) || st.serveGuardDutyFindings(w, req)
		case "elasticloadbalancing":
			handled = st.serveELBv2(w, req) || st.serveELBv2Attributes(w, req)
		case "cloudfront":
			handled = st.serveCloudFront(w, req)
		case "backup":
			handled = st.serveBackup(w, req)
		case "shield":
			handled = st.serveShield(w, req)
		case "securityhub":
			handled = st.serveSecurityHub(w, req)
		default:
			handled = st.serveMore(w, req)
		}
		if !handled {
			s.errorf("awsfake: unexpected operation %s (%s %s)", req.Op(), r.Method, r.URL)
			writeError(w, req, http.StatusInternalServerError, "NotImplemented", "awsfake does not serve "+req.Op())
		}
	})
}

func (s *State) errorf(format string, args ...any) {
	if s.Errorf != nil {
		s.Errorf(format, args...)
	}
}

// writeError writes an AWS error in the protocol of req's service.
func writeError(w http.ResponseWriter, req *Request, status int, code, msg string) {
	switch req.Service {
	case "kms", "cloudtrail", "organizations", "secretsmanager", "ssm", "config", "logs", "wafv2", "shield":
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Errortype", code)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
	case "dynamodb":
		w.Header().Set("Content-Type", json10)
		w.Header().Set("X-Amzn-Errortype", code)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#" + code, "message": msg})
	case "guardduty", "backup", "apigateway", "es", "access-analyzer", "elasticfilesystem":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Errortype", code)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": msg, "__type": code})
	case "monitoring":
		writeCBORError(w, status, code, msg)
	case "securityhub":
		writeSecurityHubError(w, status, code, msg)
	case "s3":
		writeXML(w, status, E("Error", T("Code", code), T("Message", msg), T("RequestId", "FAKE")))
	case "ec2":
		writeXML(w, status, E("Response", E("Errors", E("Error", T("Code", code), T("Message", msg))), T("RequestID", "FAKE")))
	default:
		writeXML(w, status, E("ErrorResponse", E("Error", T("Type", "Sender"), T("Code", code), T("Message", msg)), T("RequestId", "FAKE")))
	}
}

// writeJSON writes v as a JSON protocol response.
func writeJSON(w http.ResponseWriter, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	_ = json.NewEncoder(w).Encode(v)
}

// A Node is an XML element with text or children.
type Node struct {
	Name string
	Text string
	Kids []Node
}

// E returns an element with children.
func E(name string, kids ...Node) Node { return Node{Name: name, Kids: kids} }

// T returns an element with text.
func T(name, text string) Node { return Node{Name: name, Text: text} }

// B returns an element with a boolean.
func B(name string, v bool) Node { return T(name, strconv.FormatBool(v)) }

// I returns an element with an integer.
func I(name string, v int) Node { return T(name, strconv.Itoa(v)) }

// TS returns an element with an ISO 8601 time.
func TS(name string, t time.Time) Node { return T(name, t.UTC().Format(time.RFC3339)) }

func (n Node) write(b *strings.Builder) {
	name, _, _ := strings.Cut(n.Name, " ")
	b.WriteString("<" + n.Name + ">")
	if len(n.Kids) == 0 {
		var esc strings.Builder
		_ = xmlEscape(&esc, n.Text)
		b.WriteString(esc.String())
	}
	for _, k := range n.Kids {
		k.write(b)
	}
	b.WriteString("</" + name + ">")
}

func writeXML(w http.ResponseWriter, status int, n Node) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	n.write(&b)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, b.String())
}

// queryResponse writes a query protocol (IAM, STS, RDS) response.
func queryResponse(w http.ResponseWriter, op, xmlns string, result ...Node) {
	writeXML(w, http.StatusOK, E(op+"Response xmlns=\""+xmlns+"\"",
		E(op+"Result", result...),
		E("ResponseMetadata", T("RequestId", "FAKE"))))
}

// page returns the items of one page starting at token, and the token of
// the next page ("" when it is the last).
func page[T any](items []T, token string, size int) ([]T, string) {
	if size <= 0 {
		size = 1000
	}
	start, _ := strconv.Atoi(token)
	if start > len(items) {
		start = len(items)
	}
	end := min(start+size, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next
}

// inRegion returns the items whose region is region.
func inRegion[T any](items []T, region string, of func(T) string) []T {
	var out []T
	for _, it := range items {
		if of(it) == region {
			out = append(out, it)
		}
	}
	return out
}
