package okta

import (
	"testing"

	"github.com/attestdev/attest/collectors/internal/sourcetest"
)

func TestPolicy(t *testing.T) {
	t.Parallel()
	sourcetest.Policy(t, NewSource(Config{}).Collectors(), Policy, wantPolicy)
}

const wantPolicy = `# API token: create it as an admin with the Read-Only Administrator role.
# OAuth 2.0 service app: grant these scopes.
okta.policies.read
okta.roles.read
okta.users.read
`
