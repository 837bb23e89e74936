// Package accessreview builds the population of a user access review from
// the identity.account resources of an evidence bundle (AWS IAM, GitHub
// organisation, Google Workspace, Okta), joined by person; exports it as
// CSV and Markdown for reviewers; reads the completed review back,
// strictly; and checks a later bundle for accounts marked revoke that are
// still there.
package accessreview

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/yamlfile"
)

// IdentityType is the resource type every identity collector emits per
// account.
const IdentityType = "identity.account"

// An Account is one account with access in one system.
type Account struct {
	Person    string `json:"person"`
	System    string `json:"system"`
	AccountID string `json:"account_id"`
	User      string `json:"user"`
	Email     string `json:"email,omitempty"`
	Admin     bool   `json:"admin"`
	MFA       bool   `json:"mfa"`
	Active    bool   `json:"active"`
	LastLogin string `json:"last_login,omitempty"`
}

// Key identifies the account across reviews: system/account_id/user.
func (a Account) Key() string { return a.System + "/" + a.AccountID + "/" + a.User }

// A Population is every account of a bundle, sorted by person, system,
// account id and user, with what is known about its completeness.
type Population struct {
	Accounts []Account
	// Incomplete lists identity collector runs that did not complete, so
	// accounts may be missing.
	Incomplete []string
}

// FromBundle builds the population from the identity.account resources of
// b. An account whose attributes could not all be read is kept, with what
// was read.
func FromBundle(b *evidence.Bundle) (*Population, error) {
	p := &Population{}
	seen := map[string]bool{}
	for _, r := range b.Resources {
		if r.Type != IdentityType {
			continue
		}
		a := Account{
			Person: str(r.Attributes["person"]), System: str(r.Attributes["system"]),
			AccountID: str(r.Attributes["account_id"]), User: str(r.Attributes["user"]),
			Email: str(r.Attributes["email"]), LastLogin: str(r.Attributes["last_login"]),
			Admin: r.Attributes["admin"] == true, MFA: r.Attributes["mfa"] == true, Active: r.Attributes["active"] == true,
		}
		if a.System == "" || a.User == "" {
			return nil, fmt.Errorf("accessreview: %s resource %s has no system or user", IdentityType, r.ID)
		}
		if a.Person == "" {
			a.Person = strings.ToLower(a.User)
		}
		if seen[a.Key()] {
			continue
		}
		seen[a.Key()] = true
		p.Accounts = append(p.Accounts, a)
	}
	for _, run := range b.Manifest.Runs {
		if run.Produces(IdentityType) && run.Status != evidence.Complete {
			p.Incomplete = append(p.Incomplete, fmt.Sprintf("%s on %s: %s", run.Collector, run.Target, run.Status))
		}
	}
	p.sort()
	return p, nil
}

// Index returns the accounts by key.
func (p *Population) Index() map[string]Account {
	m := make(map[string]Account, len(p.Accounts))
	for _, a := range p.Accounts {
		m[a.Key()] = a
	}
	return m
}

// People returns the number of distinct persons.
func (p *Population) People() int {
	n := 0
	for i, a := range p.Accounts {
		if i == 0 || a.Person != p.Accounts[i-1].Person {
			n++
		}
	}
	return n
}

func str(v any) string { s, _ := v.(string); return s }

// ReadPeople reads a people file: YAML mapping each person to the accounts
// that are theirs, written as system:user or system/account_id/user, for
// systems whose person keys differ (a GitHub login and an Okta e-mail
// address, say). Every problem is reported with file and line.
//
//	alice@example.com: [github:alice, aws:alice]
//	bob@example.com: [github:bobby, aws/123456789012/bob]
func ReadPeople(file string, data []byte) (map[string]string, error) {
	doc, err := yamlfile.Parse(file, data)
	if err != nil {
		return nil, err
	}
	root := doc.Root
	if len(root.Content) == 0 {
		return map[string]string{}, nil
	}
	m := root.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil, &Error{File: file, Line: m.Line, Msg: "expected person: [system:user, ...] lines"}
	}
	out := map[string]string{}
	var errs []error
	for i := 0; i+1 < len(m.Content); i += 2 {
		person, list := m.Content[i], m.Content[i+1]
		if list.Kind != yaml.SequenceNode {
			errs = append(errs, &Error{File: file, Line: list.Line, Field: person.Value, Msg: "want a list of accounts, e.g. [github:alice]"})
			continue
		}
		for _, n := range list.Content {
			ok := n.Kind == yaml.ScalarNode && (strings.Count(n.Value, ":") == 1 || strings.Count(n.Value, "/") == 2)
			if !ok {
				errs = append(errs, &Error{File: file, Line: n.Line, Field: person.Value, Msg: fmt.Sprintf("%q: want system:user or system/account_id/user", n.Value)})
				continue
			}
			if prev, dup := out[n.Value]; dup && prev != person.Value {
				errs = append(errs, &Error{File: file, Line: n.Line, Field: person.Value, Msg: fmt.Sprintf("%s is already %s's", n.Value, prev)})
				continue
			}
			out[n.Value] = person.Value
		}
	}
	return out, errors.Join(errs...)
}

// Join sets the person of every account named in people (as read by
// ReadPeople) and sorts the population again.
func (p *Population) Join(people map[string]string) {
	for i, a := range p.Accounts {
		if person, ok := people[a.Key()]; ok {
			p.Accounts[i].Person = person
		} else if person, ok := people[a.System+":"+a.User]; ok {
			p.Accounts[i].Person = person
		}
	}
	p.sort()
}

func (p *Population) sort() {
	slices.SortFunc(p.Accounts, func(a, b Account) int {
		return cmp.Or(cmp.Compare(a.Person, b.Person), cmp.Compare(a.System, b.System),
			cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.User, b.User))
	})
}
