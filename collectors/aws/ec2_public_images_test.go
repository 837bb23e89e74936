package aws

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

func publicImages() *awsfake.State {
	const eu = "eu-central-1"
	return &awsfake.State{
		Snapshots: []awsfake.Snapshot{
			{ID: "snap-0a", Region: eu, Volume: "vol-1", Public: true},
			{ID: "snap-0b", Region: eu, Volume: "vol-1"},
			{ID: "snap-0c", Region: eu, Volume: "vol-2"},
			{ID: "snap-0d", Region: "us-east-1", Volume: "vol-3", Public: true},
		},
		Images: []awsfake.Image{
			{ID: "ami-0a", Name: "base-2026", Region: eu, Public: true},
			{ID: "ami-0b", Name: "app-2026", Region: eu},
			{ID: "ami-0c", Name: "app-2025", Region: eu},
			{ID: "ami-0d", Name: "us", Region: "us-east-1"},
		},
	}
}

func TestEC2PublicImages(t *testing.T) {
	t.Parallel()
	const c, r = "aws.ec2.public_images", "eu-central-1"
	for _, typ := range []struct {
		typ   string
		names []string
	}{
		{EBSSnapshotType, []string{"snap-0a", "snap-0b", "snap-0c"}},
		{AMIType, []string{"base-2026", "app-2026", "app-2025"}}, // sorted by ID
	} {
		t.Run(typ.typ, func(t *testing.T) {
			t.Parallel()
			runCases(t, []caseTest{
				{name: "happy", collector: c, region: r, typ: typ.typ, state: publicImages, wantNames: typ.names,
					wantCalls: map[string]int{"ec2:DescribeSnapshots": 2, "ec2:DescribeImages": 1}},
				{name: "two pages", collector: c, region: r, typ: typ.typ,
					state: func() *awsfake.State {
						st := publicImages()
						st.PageSize = 2
						return st
					},
					wantNames: typ.names,
					// Public snapshots: 1 page; all snapshots: 2 pages; images: 2 pages.
					wantCalls: map[string]int{"ec2:DescribeSnapshots": 3, "ec2:DescribeImages": 2}},
				{name: "empty", collector: c, region: r, typ: typ.typ, state: func() *awsfake.State { return &awsfake.State{} }},
				{name: "absent", collector: c, region: r,
					state: func() *awsfake.State {
						return withFault(publicImages(), "ec2:DescribeImages", "InvalidAction", http.StatusNotFound)
					},
					wantErr: evidence.Errored},
				{name: "denied snapshots", collector: c, region: r,
					state: func() *awsfake.State {
						return withFault(publicImages(), "ec2:DescribeSnapshots", "UnauthorizedOperation", http.StatusForbidden)
					},
					wantErr: evidence.Denied, wantPermission: "ec2:DescribeSnapshots"},
				{name: "denied images", collector: c, region: r,
					state: func() *awsfake.State {
						return withFault(publicImages(), "ec2:DescribeImages", "UnauthorizedOperation", http.StatusForbidden)
					},
					wantErr: evidence.Denied, wantPermission: "ec2:DescribeImages"},
				{name: "throttled snapshots", collector: c, region: r,
					state: func() *awsfake.State {
						return withFault(publicImages(), "ec2:DescribeSnapshots", "RequestLimitExceeded", http.StatusServiceUnavailable)
					},
					wantErr: evidence.Throttled, wantCalls: map[string]int{"ec2:DescribeSnapshots": 2, "ec2:DescribeImages": 0}},
				{name: "throttled images", collector: c, region: r,
					state: func() *awsfake.State {
						return withFault(publicImages(), "ec2:DescribeImages", "RequestLimitExceeded", http.StatusServiceUnavailable)
					},
					wantErr: evidence.Throttled, wantCalls: map[string]int{"ec2:DescribeImages": 2}},
				{name: "cancelled snapshots", collector: c, region: r, state: publicImages, block: "ec2:DescribeSnapshots"},
				{name: "cancelled images", collector: c, region: r, state: publicImages, block: "ec2:DescribeImages"},
			})
		})
	}
}

func TestEC2PublicImagesAttributes(t *testing.T) {
	t.Parallel()
	st := publicImages()
	st.AccountID = testAccount
	out, err := collect(t.Context(), t, newFakeSource(t, st), "aws.ec2.public_images", "eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for _, typ := range []string{EBSSnapshotType, AMIType} {
		for name, r := range byName(out.resources, typ) {
			got[name] = r.Attributes["public"]
		}
	}
	want := map[string]any{"snap-0a": true, "snap-0b": false, "snap-0c": false, "base-2026": true, "app-2026": false, "app-2025": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("public (-want +got):\n%s", diff)
	}
	snaps := byName(out.resources, EBSSnapshotType)
	if id := snaps["snap-0a"].ID; id != "arn:aws:ec2:eu-central-1::snapshot/snap-0a" {
		t.Errorf("snapshot ID = %q", id)
	}
}
