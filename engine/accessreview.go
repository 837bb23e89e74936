package engine

import (
	"fmt"

	"github.com/attestdev/attest/accessreview"
	"github.com/attestdev/attest/collectors/evidence"
)

// OpenPopulation reads the accounts to review from the bundle in dir. A
// bundle without identity accounts is an error, not an empty review.
func OpenPopulation(dir string) (*accessreview.Population, *evidence.Bundle, error) {
	b, err := evidence.Open(dir)
	if err != nil {
		return nil, nil, err
	}
	p, err := accessreview.FromBundle(b)
	if err != nil {
		return nil, nil, err
	}
	if len(p.Accounts) == 0 {
		return nil, nil, fmt.Errorf("%s holds no %s resources: configure an identity source (aws, github, workspace, okta, entra) and collect again", dir, accessreview.IdentityType)
	}
	return p, b, nil
}
