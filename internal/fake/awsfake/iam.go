package awsfake

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
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
	case "GetAccountAuthorizationDetails":
		s.serveAuthorizationDetails(w, req)
	default:
		return false
	}
	return true
}

// serveAuthorizationDetails serves iam:GetAccountAuthorizationDetails: the
// users, groups, roles and customer managed policies the Filter names (all
// of them without a Filter; AWS managed policies are never listed), one page of at most MaxItems
// (default 100) and PageSize entities, users first.
func (s *State) serveAuthorizationDetails(w http.ResponseWriter, req *Request) {
	want := map[string]bool{}
	for i := 1; ; i++ {
		f := req.Form.Get("Filter.member." + strconv.Itoa(i))
		if f == "" {
			break
		}
		want[f] = true
	}
	all := len(want) == 0
	// An entity is the member element of one user or group and the list
	// it belongs in.
	type entity struct {
		list   string
		member Node
	}
	var entities []entity
	if all || want["User"] {
		for _, u := range s.Users {
			entities = append(entities, entity{"UserDetailList", s.userDetail(u)})
		}
	}
	if all || want["Group"] {
		for _, g := range s.Groups {
			entities = append(entities, entity{"GroupDetailList", s.groupDetail(g)})
		}
	}
	if all || want["Role"] {
		for _, r := range s.Roles {
			entities = append(entities, entity{"RoleDetailList", s.roleDetail(r)})
		}
	}
	if all || want["LocalManagedPolicy"] {
		for _, p := range s.ManagedPolicies {
			entities = append(entities, entity{"Policies", s.policyDetail(p)})
		}
	}
	size := 100
	if n, err := strconv.Atoi(req.Form.Get("MaxItems")); err == nil && n > 0 {
		size = n
	}
	if s.PageSize > 0 {
		size = min(size, s.PageSize)
	}
	items, next := page(entities, req.Form.Get("Marker"), size)
	users, groups, roles, policies := E("UserDetailList"), E("GroupDetailList"), E("RoleDetailList"), E("Policies")
	for _, e := range items {
		switch e.list {
		case users.Name:
			users.Kids = append(users.Kids, e.member)
		case groups.Name:
			groups.Kids = append(groups.Kids, e.member)
		case roles.Name:
			roles.Kids = append(roles.Kids, e.member)
		default:
			policies.Kids = append(policies.Kids, e.member)
		}
	}
	kids := []Node{users, groups, roles, policies, B("IsTruncated", next != "")}
	if next != "" {
		kids = append(kids, T("Marker", next))
	}
	queryResponse(w, req.Operation, iamNS, kids...)
}

// userDetail renders u as a member of UserDetailList.
func (s *State) userDetail(u User) Node {
	var groups []Node
	for _, g := range u.Groups {
		groups = append(groups, T("member", g))
	}
	return E("member", T("Path", "/"), T("UserName", u.Name), T("UserId", "AIDAFAKE"+strings.ToUpper(u.Name)),
		T("Arn", s.userARN(u.Name)), TS("CreateDate", u.Created), E("UserPolicyList", inlinePolicies(nil, u.AdminInline)...), E("GroupList", groups...),
		attachedPolicies(u.Policies))
}

// groupDetail renders g as a member of GroupDetailList.
func (s *State) groupDetail(g Group) Node {
	inline := inlinePolicies(g.Inline, g.AdminInline)
	return E("member", T("Path", "/"), T("GroupName", g.Name), T("GroupId", "AGPAFAKE"+strings.ToUpper(g.Name)),
		T("Arn", "arn:aws:iam::"+s.AccountID+":group/"+g.Name), TS("CreateDate", reportTime),
		E("GroupPolicyList", inline...), attachedPolicies(g.Policies))
}

// inlinePolicies renders the inline policies named plain (allowing
// s3:GetObject) and admin (allowing everything) as members of a policy
// list.
func inlinePolicies(plain, admin []string) []Node {
	var out []Node
	for _, name := range plain {
		out = append(out, E("member", T("PolicyName", name), T("PolicyDocument", inlinePolicyDocument)))
	}
	for _, name := range admin {
		out = append(out, E("member", T("PolicyName", name), T("PolicyDocument", adminPolicyDocument)))
	}
	return out
}

// roleDetail renders r as a member of RoleDetailList.
func (s *State) roleDetail(r Role) Node {
	path := r.Path
	if path == "" {
		path = "/"
	}
	principal := `{"Service":"ec2.amazonaws.com"}`
	switch {
	case len(r.Trust) > 0:
		b, _ := json.Marshal(map[string]any{"AWS": r.Trust})
		principal = string(b)
	case r.Federated != "":
		b, _ := json.Marshal(map[string]any{"Federated": r.Federated})
		principal = string(b)
	}
	trust := url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"}]}`)
	return E("member", T("Path", path), T("RoleName", r.Name), T("RoleId", "AROAFAKE"+strings.ToUpper(r.Name)),
		T("Arn", "arn:aws:iam::"+s.AccountID+":role"+path+r.Name), TS("CreateDate", reportTime),
		T("AssumeRolePolicyDocument", trust), E("InstanceProfileList"), E("RolePolicyList", inlinePolicies(nil, r.AdminInline)...),
		attachedPolicies(r.Policies), E("Tags"), E("RoleLastUsed"))
}

// policyDetail renders p as a member of Policies.
func (s *State) policyDetail(p ManagedPolicy) Node {
	doc := inlinePolicyDocument
	if p.Admin {
		doc = adminPolicyDocument
	}
	return E("member", T("PolicyName", p.Name), T("PolicyId", "ANPAFAKE"+strings.ToUpper(p.Name)),
		T("Arn", s.ManagedPolicyARN(p.Name)), T("Path", "/"), T("DefaultVersionId", "v1"), I("AttachmentCount", s.attachments(s.ManagedPolicyARN(p.Name))),
		B("IsAttachable", true), TS("CreateDate", reportTime), TS("UpdateDate", reportTime),
		E("PolicyVersionList", E("member", T("Document", doc), T("VersionId", "v1"), B("IsDefaultVersion", true), TS("CreateDate", reportTime))))
}

// attachments counts the users, groups and roles policy arn is attached to.
func (s *State) attachments(arn string) int {
	n := 0
	for _, u := range s.Users {
		n += count(u.Policies, arn)
	}
	for _, g := range s.Groups {
		n += count(g.Policies, arn)
	}
	for _, r := range s.Roles {
		n += count(r.Policies, arn)
	}
	return n
}

// count returns how often v occurs in vs.
func count(vs []string, v string) int {
	n := 0
	for _, x := range vs {
		if x == v {
			n++
		}
	}
	return n
}

// ManagedPolicyARN returns the ARN of the customer managed policy name.
func (s *State) ManagedPolicyARN(name string) string {
	return "arn:aws:iam::" + s.AccountID + ":policy/" + name
}

// adminPolicyDocument is the URL-encoded document of a policy that allows
// every action on every resource.
var adminPolicyDocument = url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)

// inlinePolicyDocument is the URL-encoded document of every fake inline
// policy, as the query API returns policy documents.
var inlinePolicyDocument = url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)

// attachedPolicies renders managed policy ARNs as AttachedManagedPolicies.
func attachedPolicies(arns []string) Node {
	var ps []Node
	for _, a := range arns {
		ps = append(ps, E("member", T("PolicyName", a[strings.LastIndex(a, "/")+1:]), T("PolicyArn", a)))
	}
	return E("AttachedManagedPolicies", ps...)
}

// reportTime is when the fake credential report was generated.
var reportTime = time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)

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
	rootUsed := "no_information"
	if !root.PasswordLastUsed.IsZero() {
		rootUsed = iso(root.PasswordLastUsed)
	}
	row("<root_account>", "arn:aws:iam::"+s.AccountID+":root", root.Created, "not_supported", rootUsed, "not_supported", root.MFA, root.AccessKeys)
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
