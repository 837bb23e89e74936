package azure

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// opDescendants is the action Plan needs to list the subscriptions under a
// management group.
const opDescendants = "Microsoft.Management/managementGroups/descendants/read"

// deniedAction finds the action a 403 AuthorizationFailed names: "The
// client '...' does not have authorization to perform action
// 'Microsoft.Storage/storageAccounts/read' over scope ...".
var deniedAction = regexp.MustCompile(`perform action '([^']+)'`)

// classify converts err of the call needing action op into a
// *collectors.APIError: denied (401, 403) with the action Azure names,
// throttled (429, once the SDK's retry policy gave up), or errored.
// Context errors stay in the chain.
func (s *Source) classify(err error, op string) error {
	if err == nil {
		return nil
	}
	var re *azcore.ResponseError
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return &collectors.APIError{Kind: collectors.Classify(err), Operation: op, Err: err}
	case errors.As(err, &re) && re.StatusCode == http.StatusTooManyRequests:
		return &collectors.APIError{Kind: evidence.Throttled, Operation: op, Err: throttled(re, op, time.Duration(*s.cfg.MaxRetryWaitSeconds)*time.Second)}
	case errors.As(err, &re) && (re.StatusCode == http.StatusForbidden || re.StatusCode == http.StatusUnauthorized):
		perm := op
		if m := deniedAction.FindStringSubmatch(re.Error()); m != nil {
			perm = m[1]
		}
		return &collectors.APIError{Kind: evidence.Denied, Operation: op, Permission: perm, Err: err}
	}
	return &collectors.APIError{Kind: evidence.Errored, Operation: op, Err: err}
}

// throttled describes a 429 the SDK's retry policy gave up on: it retries
// a bounded number of times and returns at once when Retry-After is longer
// than its maximum delay.
func throttled(re *azcore.ResponseError, op string, maxWait time.Duration) error {
	te := &collectors.ThrottledError{Limit: "Azure Resource Manager throttling of " + op, Status: re.StatusCode, MaxWait: maxWait}
	if re.RawResponse != nil {
		if secs, err := strconv.Atoi(re.RawResponse.Header.Get("Retry-After")); err == nil {
			te.Wait = time.Duration(secs) * time.Second
		}
	}
	return errors.Join(te, re)
}

// notRegistered reports whether err says the subscription is not
// registered for the resource provider (409 MissingSubscriptionRegistration):
// the subscription cannot hold resources of that provider, so a listing of
// them is empty, which is evidence.
func notRegistered(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && strings.EqualFold(re.ErrorCode, "MissingSubscriptionRegistration")
}

// operation names an ARM request by the read action it needs, e.g.
// "Microsoft.Sql/servers/firewallRules/read" for
// GET /subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Sql/servers/{n}/firewallRules.
// No Resource Manager response of attest carries a credential, so every
// response is kept.
func operation(req *http.Request) (string, bool) {
	return actionOf(req.URL.Path), true
}

// actionOf derives the read action from an ARM path.
func actionOf(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	prov := -1
	for i, s := range segs {
		if strings.EqualFold(s, "providers") {
			prov = i
		}
	}
	if prov < 0 || prov+1 >= len(segs) {
		// /subscriptions/{s}, /subscriptions/{s}/resources
		var types []string
		for i, s := range segs {
			if i%2 == 0 {
				types = append(types, s)
			}
		}
		return "Microsoft.Resources/" + strings.Join(types, "/") + "/read"
	}
	ns := segs[prov+1]
	var types []string
	for i, s := range segs[prov+2:] {
		if i%2 == 0 {
			types = append(types, s)
		}
	}
	return ns + "/" + strings.Join(types, "/") + "/read"
}

// policyJSON renders a custom role definition granting actions at the
// scope of a subscription.
func policyJSON(actions []string) ([]byte, error) {
	doc := struct {
		Name             string   `json:"Name"`
		IsCustom         bool     `json:"IsCustom"`
		Description      string   `json:"Description"`
		Actions          []string `json:"Actions"`
		NotActions       []string `json:"NotActions"`
		DataActions      []string `json:"DataActions"`
		NotDataActions   []string `json:"NotDataActions"`
		AssignableScopes []string `json:"AssignableScopes"`
	}{
		Name:             "attest Reader",
		IsCustom:         true,
		Description:      "Read-only actions attest needs to collect evidence (az role definition create --role-definition @this.json). Assign it on each subscription, or on a management group listed in AssignableScopes.",
		Actions:          actions,
		NotActions:       []string{},
		DataActions:      []string{},
		NotDataActions:   []string{},
		AssignableScopes: []string{"/subscriptions/{subscriptionId}"},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
