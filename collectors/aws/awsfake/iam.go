package awsfake

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const iamNS = "https://iam.amazonaws.com/doc/2010-05-08/"

func (s *State) serveIAM(w http.ResponseWriter, req *Request) bool {
	switch req.Operation {
	case "GenerateCredentialReport":
		queryResponse(w, req.Operation, iamNS, T("State", "COMPLETE"), T("Description", "No report exists. Starting a new report generation task"))
	case "GetCredentialReport":
		csv := base64.StdEncoding.EncodeToString([]byte(s.credentialReport()))
		queryResponse(w, req.Operation, iamNS, T("Content", csv), T("ReportFormat", "text/csv"), TS("GeneratedTime", reportTime))
	case "GetAccountPasswordPolicy":
		p := s.PasswordPolicy
		if p == nil {
			writeError(w, req, http.StatusNotFound, "NoSuchEntity", "The Password Policy with domain name "+s.AccountID+" cannot be found.")
			return true
		}
		kids := []Node{
			I("MinimumPasswordLength", p.MinimumLength), B("RequireSymbols", p.RequireSymbols),
			B("RequireNumbers", p.RequireNumbers), B("RequireUppercaseCharacters", p.RequireUppercase),
			B("RequireLowercaseCharacters", p.RequireLowercase), B("AllowUsersToChangePassword", true),
			B("ExpirePasswords", p.MaxAgeDays > 0), B("HardExpiry", p.HardExpiry),
		}
		if p.MaxAgeDays > 0 {
			kids = append(kids, I("MaxPasswordAge", p.MaxAgeDays))
		}
		if p.ReusePrevention > 0 {
			kids = append(kids, I("PasswordReusePrevention", p.ReusePrevention))
		}
		queryResponse(w, req.Operation, iamNS, E("PasswordPolicy", kids...))
	case "ListUsers":
		items, next := page(s.Users, req.Form.Get("Marker"), s.PageSize)
		var users []Node
		for _, u := range items {
			users = append(users, E("member", T("Path", "/"), T("UserName", u.Name), T("UserId", "AIDAFAKE"+strings.ToUpper(u.Name)),
				T("Arn", s.userARN(u.Name)), TS("CreateDate", u.Created)))
		}
		queryResponse(w, req.Operation, iamNS, truncated(E("Users", users...), next)...)
	case "ListAttachedUserPolicies":
		name := req.Form.Get("UserName")
		var u *User
		for i := range s.Users {
			if s.Users[i].Name == name {
				u = &s.Users[i]
			}
		}
		if u == nil {
			writeError(w, req, http.StatusNotFound, "NoSuchEntity", "The user with name "+name+" cannot be found.")
			return true
		}
		items, next := page(u.Policies, req.Form.Get("Marker"), s.PageSize)
		var ps []Node
		for _, a := range items {
			ps = append(ps, E("member", T("PolicyName", a[strings.LastIndex(a, "/")+1:]), T("PolicyArn", a)))
		}
		queryResponse(w, req.Operation, iamNS, truncated(E("AttachedPolicies", ps...), next)...)
	case "ListGroupsForUser":
		name := req.Form.Get("UserName")
		for _, u := range s.Users {
			if u.Name != name {
				continue
			}
			items, next := page(u.Groups, req.Form.Get("Marker"), s.PageSize)
			var gs []Node
			for _, g := range items {
				gs = append(gs, E("member", T("Path", "/"), T("GroupName", g), T("GroupId", "AGPAFAKE"+strings.ToUpper(g)),
					T("Arn", "arn:aws:iam::"+s.AccountID+":group/"+g), TS("CreateDate", reportTime)))
			}
			queryResponse(w, req.Operation, iamNS, truncated(E("Groups", gs...), next)...)
			return true
		}
		writeError(w, req, http.StatusNotFound, "NoSuchEntity", "The user with name "+name+" cannot be found.")
	case "ListAttachedGroupPolicies":
		name := req.Form.Get("GroupName")
		for _, g := range s.Groups {
			if g.Name != name {
				continue
			}
			items, next := page(g.Policies, req.Form.Get("Marker"), s.PageSize)
			var ps []Node
			for _, a := range items {
				ps = append(ps, E("member", T("PolicyName", a[strings.LastIndex(a, "/")+1:]), T("PolicyArn", a)))
			}
			queryResponse(w, req.Operation, iamNS, truncated(E("AttachedPolicies", ps...), next)...)
			return true
		}
		writeError(w, req, http.StatusNotFound, "NoSuchEntity", "The group with name "+name+" cannot be found.")
	default:
		return false
	}
	return true
}

// reportTime is when the fake credential report was generated.
var reportTime = time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)

func truncated(list Node, next string) []Node {
	out := []Node{list, B("IsTruncated", next != "")}
	if next != "" {
		out = append(out, T("Marker", next))
	}
	return out
}

func (s *State) userARN(name string) string {
	return "arn:aws:iam::" + s.AccountID + ":user/" + name
}

// credentialReport renders the IAM credential report CSV.
func (s *State) credentialReport() string {
	var b strings.Builder
	b.WriteString("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n")
	row := func(user, arn string, created time.Time, pwd, pwdUsed, pwdChanged string, mfa bool, keys []AccessKey) {
		f := []string{user, arn, iso(created), pwd, pwdUsed, pwdChanged, "N/A", strconv.FormatBool(mfa)}
		for i := range 2 {
			if i < len(keys) {
				k := keys[i]
				used := "N/A"
				region, svc := "N/A", "N/A"
				if !k.LastUsed.IsZero() {
					used, region, svc = iso(k.LastUsed), "us-east-1", "s3"
				}
				f = append(f, strconv.FormatBool(k.Active), iso(k.Rotated), used, region, svc)
			} else {
				f = append(f, "false", "N/A", "N/A", "N/A", "N/A")
			}
		}
		f = append(f, "false", "N/A", "false", "N/A")
		b.WriteString(strings.Join(f, ",") + "\n")
	}
	root := s.Root
	row("<root_account>", "arn:aws:iam::"+s.AccountID+":root", root.Created, "not_supported", "no_information", "not_supported", root.MFA, root.AccessKeys)
	for _, u := range s.Users {
		pwd, used, changed := "false", "N/A", "N/A"
		if u.Password {
			pwd, used, changed = "true", "no_information", iso(u.Created)
			if !u.PasswordLastUsed.IsZero() {
				used = iso(u.PasswordLastUsed)
			}
		}
		row(u.Name, s.userARN(u.Name), u.Created, pwd, used, changed, u.MFA, u.AccessKeys)
	}
	return b.String()
}

func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }
