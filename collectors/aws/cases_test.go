package aws

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// caseTest runs one collector against a fake state.
type caseTest struct {
	name      string
	collector string
	region    string
	state     func() *awsfake.State
	// block names an operation that blocks until the test cancels.
	block string
	// wantErr is the failure kind of Collect's error, "" for none.
	wantErr evidence.FailureKind
	// wantPermission is the permission named by Collect's error.
	wantPermission string
	// typ and wantNames: the names of the emitted resources of type typ.
	typ       string
	wantNames []string
	// wantGaps: attribute -> kind of the gaps on resources of type typ.
	wantGaps map[string]evidence.FailureKind
	// wantAttrs: attribute values of the first resource of type typ.
	wantAttrs map[string]any
	// wantCalls: how often the fake served operations.
	wantCalls map[string]int
}

func withFault(st *awsfake.State, op, code string, status int) *awsfake.State {
	if st.Faults == nil {
		st.Faults = map[string]awsfake.Fault{}
	}
	st.Faults[op] = awsfake.Fault{Code: code, Status: status}
	return st
}

func runCases(t *testing.T, tests []caseTest, opts ...func(*Source)) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := tt.state()
			if st.AccountID == "" {
				st.AccountID = testAccount
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tt.block != "" {
				if st.Faults == nil {
					st.Faults = map[string]awsfake.Fault{}
				}
				st.Faults[tt.block] = awsfake.Fault{Block: true, Arrived: cancel}
			}
			src := newFakeSource(t, st)
			for _, o := range opts {
				o(src)
			}
			out, err := collect(ctx, t, src, tt.collector, tt.region)
			switch {
			case tt.block != "":
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Collect error = %v, want context.Canceled", err)
				}
				return
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Collect: %v", err)
			case tt.wantErr != "":
				if err == nil {
					t.Fatalf("Collect succeeded, want %s error", tt.wantErr)
				}
				f := collectors.FailureOf(err, "")
				if f.Kind != tt.wantErr || f.Permission != tt.wantPermission {
					t.Errorf("failure = %s/%q, want %s/%q (%v)", f.Kind, f.Permission, tt.wantErr, tt.wantPermission, err)
				}
			}
			if tt.typ != "" {
				var names []string
				gaps := map[string]evidence.FailureKind{}
				var first map[string]any
				for _, r := range out.resources {
					if r.Type != tt.typ {
						continue
					}
					if first == nil {
						first = r.Attributes
					}
					names = append(names, r.Name)
					for _, g := range r.Gaps {
						gaps[g.Attribute] = g.Kind
						if _, ok := r.Attributes[g.Attribute]; ok {
							t.Errorf("%s: attribute %s has a gap and a value", r.ID, g.Attribute)
						}
					}
				}
				if diff := cmp.Diff(tt.wantNames, names); diff != "" {
					t.Errorf("names (-want +got):\n%s", diff)
				}
				if tt.wantGaps == nil {
					tt.wantGaps = map[string]evidence.FailureKind{}
				}
				if diff := cmp.Diff(tt.wantGaps, gaps); diff != "" {
					t.Errorf("gaps (-want +got):\n%s", diff)
				}
				if len(gaps) > 0 && len(out.failures) == 0 {
					t.Errorf("gaps without failures")
				}
				for k, v := range tt.wantAttrs {
					if diff := cmp.Diff(v, first[k]); diff != "" {
						t.Errorf("attribute %s (-want +got):\n%s", k, diff)
					}
				}
			}
			for op, n := range tt.wantCalls {
				if got := st.Calls(op); got != n {
					t.Errorf("calls of %s = %d, want %d", op, got, n)
				}
			}
		})
	}
}

// checkDescribed fails when a resource lacks a declared attribute without
// a gap, or has an undeclared one.
func checkDescribed(t *testing.T, c collectors.Collector, rs []evidence.Resource) {
	t.Helper()
	d := c.Describe()
	for _, r := range rs {
		i := slices.IndexFunc(d.ResourceTypes, func(rt collectors.ResourceType) bool { return rt.Name == r.Type })
		if i < 0 {
			t.Errorf("%s: type %s is not declared by %s", r.ID, r.Type, d.ID)
			continue
		}
		declared := map[string]bool{}
		for _, a := range d.ResourceTypes[i].Attributes {
			declared[a.Name] = true
			_, has := r.Attributes[a.Name]
			gap := slices.ContainsFunc(r.Gaps, func(g evidence.Gap) bool { return g.Attribute == a.Name })
			if !has && !gap {
				t.Errorf("%s: attribute %s is neither set nor a gap", r.ID, a.Name)
			}
		}
		for k := range r.Attributes {
			if !declared[k] {
				t.Errorf("%s: attribute %s is not declared", r.ID, k)
			}
		}
	}
}
