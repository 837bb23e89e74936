package workspace

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

const wantPolicy = `# Grant these OAuth scopes to the service account's client ID under domain-wide delegation;
# the impersonated subject must be an administrator who can read users.
https://www.googleapis.com/auth/admin.directory.user.readonly
https://www.googleapis.com/auth/admin.directory.user.security
https://www.googleapis.com/auth/cloud-identity.policies.readonly
# admin.directory.user.security (for workspace.tokens) has no read-only variant: it also
# allows revoking tokens. attest only lists them (GET); leave the OAuth grants controls
# disabled to avoid granting it.
`
