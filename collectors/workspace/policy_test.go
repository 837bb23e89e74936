package workspace

import (
	"testing"

	"github.com/attestdev/attest/collectors/internal/sourcetest"
)

func TestPolicy(t *testing.T) {
	t.Parallel()
	sourcetest.Policy(t, NewSource(Config{}).Collectors(), Policy, wantPolicy)
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
