package gcp

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
	"github.com/attestdev/attest/collectors/internal/gcptest"
)

const project = "example-project"

// tcase is one run of a collector against fixtures.
type tcase struct {
	name     string
	fx       gcptest.Fixtures
	started  chan struct{}
	wantErr  evidence.FailureKind
	wantPerm string // for denials
	want     []evidence.Resource
	wantFail []evidence.FailureKind
	// envs is the source's gcp.environments.
	envs map[string]string
}

// runCases runs each case against collector id with the gcp source pointed
// at a fixture server.
func runCases(t *testing.T, id, typ string, cases []tcase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := gcptest.NewServer(t, tt.fx, ":getIamPolicy", ":getAncestry")
			zero := 0
			src := NewSource(Config{Projects: []string{project}, Endpoint: srv.URL, HTTPClient: srv.Client(), MaxRetryWaitSeconds: &zero,
				Environments: tt.envs})
			var c collectors.Collector
			for _, x := range src.Collectors() {
				if x.Describe().ID == id {
					c = x
				}
			}
			s, err := gcptest.Run(t, c, evidence.Target{Source: SourceName, Account: project}, tt.started)
			if tt.wantErr != "" {
				apitest.WantKind(t, err, tt.wantErr)
				var api *collectors.APIError
				if tt.wantPerm != "" && (!errors.As(err, &api) || api.Permission != tt.wantPerm) {
					t.Errorf("err = %v, want permission %s", err, tt.wantPerm)
				}
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if diff := cmp.Diff(tt.want, s.ByType(typ)); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantFail, s.Kinds()); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}
