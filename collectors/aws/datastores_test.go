package aws

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

// TestFixturesDataStores runs the Redshift and OpenSearch collectors
// against responses shaped like the AWS API reference examples (see
// testdata/README.md).
func TestFixturesDataStores(t *testing.T) {
	t.Parallel()
	const r = "eu-central-1"
	tests := []struct {
		name, collector string
		routes          map[string]route
		want            []evidence.Resource
	}{
		{name: "redshift", collector: "aws.redshift",
			routes: map[string]route{"redshift:DescribeClusters": {file: "redshift/DescribeClusters.xml"}},
			want: []evidence.Resource{{Type: RedshiftClusterType, ID: "arn:aws:redshift:eu-central-1:123456789012:cluster:examplecluster", Name: "examplecluster",
				Account: testAccount, Region: r, Attributes: map[string]any{"publicly_accessible": true, "encrypted": false, "multi_az": false}}}},
		{name: "opensearch", collector: "aws.opensearch",
			routes: map[string]route{"es:ListDomainNames": {file: "opensearch/ListDomainNames.json"}, "es:DescribeDomains": {file: "opensearch/DescribeDomains.json"}},
			want: []evidence.Resource{
				{Type: OpenSearchDomainType, ID: "arn:aws:es:us-east-1:123456789012:domain/logs", Name: "logs", Account: testAccount, Region: r,
					Attributes: map[string]any{"public_endpoint": false, "encrypted_at_rest": true, "node_to_node_encryption": true, "zone_awareness": true}},
				{Type: OpenSearchDomainType, ID: "arn:aws:es:us-east-1:123456789012:domain/my-domain", Name: "my-domain", Account: testAccount, Region: r,
					Attributes: map[string]any{"public_endpoint": true, "encrypted_at_rest": true, "node_to_node_encryption": true, "zone_awareness": false}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := collect(t.Context(), t, newFixtureSource(t, tt.routes), tt.collector, r)
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if len(out.failures) > 0 {
				t.Errorf("failures: %v", out.failures)
			}
			if diff := cmp.Diff(tt.want, out.resources); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
		})
	}
}

func datastores() *awsfake.State {
	const r = "eu-central-1"
	var domains []awsfake.Domain
	for _, n := range []string{"d1", "d2", "d3", "d4", "d5", "d6"} {
		domains = append(domains, awsfake.Domain{Name: n, Region: r, VPC: "vpc-0a", Encrypted: true, NodeToNode: true, ZoneHA: true})
	}
	domains[5].VPC = ""
	return &awsfake.State{DataStores: awsfake.DataStores{
		RedshiftClusters: []awsfake.RedshiftCluster{
			{ID: "warehouse", Region: r, Encrypted: true, MultiAZ: true},
			{ID: "adhoc", Region: r, Public: true},
			{ID: "us", Region: "us-east-1"},
		},
		Domains: domains,
	}}
}

func TestRedshiftClusters(t *testing.T) {
	t.Parallel()
	const c, r = "aws.redshift", "eu-central-1"
	runCases(t, []caseTest{
		{name: "two pages", collector: c, region: r, typ: RedshiftClusterType,
			state: func() *awsfake.State {
				st := datastores()
				st.PageSize = 1
				return st
			},
			wantNames: []string{"adhoc", "warehouse"},
			wantAttrs: map[string]any{"publicly_accessible": true, "encrypted": false, "multi_az": false},
			wantCalls: map[string]int{"redshift:DescribeClusters": 2}},
		{name: "empty", collector: c, region: r, typ: RedshiftClusterType, state: func() *awsfake.State { return &awsfake.State{} }},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(datastores(), "redshift:DescribeClusters", "AccessDenied", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "redshift:DescribeClusters"},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(datastores(), "redshift:DescribeClusters", "Throttling", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"redshift:DescribeClusters": 2}},
		{name: "cancelled", collector: c, region: r, state: datastores, block: "redshift:DescribeClusters"},
	})
}

func TestOpenSearchDomains(t *testing.T) {
	t.Parallel()
	const c, r = "aws.opensearch", "eu-central-1"
	runCases(t, []caseTest{
		{name: "two batches", collector: c, region: r, typ: OpenSearchDomainType, state: datastores,
			wantNames: []string{"d1", "d2", "d3", "d4", "d5", "d6"},
			wantAttrs: map[string]any{"public_endpoint": false, "zone_awareness": true},
			wantCalls: map[string]int{"es:ListDomainNames": 1, "es:DescribeDomains": 2}},
		{name: "public", collector: c, region: r, typ: OpenSearchDomainType,
			state: func() *awsfake.State {
				st := datastores()
				st.DataStores.Domains = st.DataStores.Domains[5:]
				return st
			},
			wantNames: []string{"d6"}, wantAttrs: map[string]any{"public_endpoint": true}},
		{name: "empty", collector: c, region: r, typ: OpenSearchDomainType, state: func() *awsfake.State { return &awsfake.State{} },
			wantCalls: map[string]int{"es:DescribeDomains": 0}},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(datastores(), "es:ListDomainNames", "AccessDeniedException", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "es:ListDomainNames"},
		{name: "describe denied", collector: c, region: r, typ: OpenSearchDomainType,
			state: func() *awsfake.State {
				st := datastores()
				st.DataStores.Domains = st.DataStores.Domains[5:]
				return withFault(st, "es:DescribeDomains", "AccessDeniedException", http.StatusForbidden)
			},
			wantNames: []string{"d6"},
			wantGaps: map[string]evidence.FailureKind{"public_endpoint": evidence.Denied, "encrypted_at_rest": evidence.Denied,
				"node_to_node_encryption": evidence.Denied, "zone_awareness": evidence.Denied}},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(datastores(), "es:ListDomainNames", "ThrottlingException", http.StatusTooManyRequests)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"es:ListDomainNames": 2}},
		{name: "cancelled", collector: c, region: r, state: datastores, block: "es:DescribeDomains"},
	})
}
