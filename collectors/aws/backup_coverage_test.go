package aws

import (
	"net/http"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

// stores has a backed-up database, an unprotected cluster with an
// instance (judged through the cluster), and two volumes, one backed up.
func stores() *awsfake.State {
	const r = "eu-central-1"
	at := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	return &awsfake.State{
		DBInstances: []awsfake.DBInstance{
			{ID: "orders", Region: r, Engine: "postgres", BackedUp: at},
			{ID: "reports-1", Region: r, Engine: "aurora-mysql", Cluster: "reports"},
			{ID: "elsewhere", Region: "us-east-1", Engine: "mysql"},
		},
		DBClusters: []awsfake.DBCluster{{ID: "reports", Region: r, Engine: "aurora-mysql"}},
		Volumes: []awsfake.Volume{
			{ID: "vol-0000000000000000a", Region: r, SizeGiB: 8, State: "in-use", BackedUp: at.Add(-time.Hour)},
			{ID: "vol-0000000000000000b", Region: r, SizeGiB: 8, State: "available"},
		},
	}
}

func TestBackupCoverage(t *testing.T) {
	t.Parallel()
	const c, r, op = "aws.backup.coverage", "eu-central-1", "backup:ListProtectedResources"
	all := []string{"vol-0000000000000000a", "vol-0000000000000000b", "reports", "orders"}
	runCases(t, []caseTest{
		{name: "happy", collector: c, region: r, typ: BackupDataStoreType, state: stores, wantNames: all,
			wantAttrs: map[string]any{"kind": "ebs_volume", "protected": true, "last_backup": "2026-11-22T02:00:00Z"},
			wantCalls: map[string]int{op: 1}},
		{name: "two pages", collector: c, region: r, typ: BackupDataStoreType,
			state: func() *awsfake.State {
				st := stores()
				st.PageSize = 1
				return st
			},
			wantNames: all,
			wantAttrs: map[string]any{"kind": "ebs_volume", "protected": true},
			wantCalls: map[string]int{op: 2, "rds:DescribeDBInstances": 2, "ec2:DescribeVolumes": 2}},
		{name: "nothing protected", collector: c, region: r, typ: BackupDataStoreType,
			state: func() *awsfake.State {
				st := stores()
				st.Volumes = st.Volumes[1:]
				st.DBInstances[0].BackedUp = time.Time{}
				return st
			},
			wantNames: []string{"vol-0000000000000000b", "reports", "orders"},
			wantAttrs: map[string]any{"kind": "ebs_volume", "protected": false, "last_backup": ""}},
		{name: "empty", collector: c, region: r, typ: BackupDataStoreType, state: func() *awsfake.State { return &awsfake.State{} },
			wantCalls: map[string]int{op: 1}},
		{name: "not found", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(stores(), op, "ResourceNotFoundException", http.StatusNotFound)
			},
			wantErr: evidence.Errored, wantCalls: map[string]int{"rds:DescribeDBInstances": 0}},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(stores(), op, "AccessDeniedException", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: op},
		{name: "volumes denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(stores(), "ec2:DescribeVolumes", "UnauthorizedOperation", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "ec2:DescribeVolumes"},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(stores(), op, "ThrottlingException", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{op: 2}},
		{name: "cancelled", collector: c, region: r, state: stores, block: op},
		{name: "cancelled listing clusters", collector: c, region: r, state: stores, block: "rds:DescribeDBClusters"},
	})
}
