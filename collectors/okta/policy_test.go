package okta

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors"
)

func TestPolicy(t *testing.T) {
	t.Parallel()
	var ds []collectors.Descriptor
	for _, c := range NewSource(Config{}).Collectors() {
		ds = append(ds, c.Describe())
	}
	got, err := Policy(ds)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantPolicy, string(got)); diff != "" {
		t.Errorf("Policy (-want +got):\n%s", diff)
	}
}

const wantPolicy = `# API token: create it as an admin with the Read-Only Administrator role.
# OAuth 2.0 service app: grant these scopes.
okta.policies.read
okta.roles.read
okta.users.read
`
