package bench

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/attestdev/attest/internal/fake/awsfake"
	"github.com/attestdev/attest/internal/fake/azurefake"
	"github.com/attestdev/attest/internal/fake/githubfake"
)

// Size is the shape of a simulated organisation.
type Size struct {
	// Accounts is the number of AWS accounts, the management account
	// included.
	Accounts int
	// Regions is the number of regions collected in every account.
	Regions int
	// Buckets is the number of S3 buckets per account.
	Buckets int
	// Repos is the number of repositories of the GitHub organisation.
	Repos int
	// Identities is the number of people: half are IAM users spread over
	// the accounts, half members of the GitHub organisation.
	Identities int

	// The Microsoft and GitLab sources (BenchmarkCollectMicrosoftAndGitLab;
	// zero leaves a source out).
	// EntraUsers is the number of users of the Entra ID tenant,
	// CAPolicies its Conditional Access policies.
	EntraUsers, CAPolicies int
	// Azure is the shape of the Azure estate.
	Azure azurefake.ScaleSize
	// GitLabProjects and GitLabMembers are the projects and direct members
	// of the GitLab group (spread over GitLabSubgroups subgroups).
	GitLabProjects, GitLabMembers int
}

// Per region and account, the simulated organisation also has these many
// EBS volumes, RDS DB instances and customer-managed KMS keys.
const (
	VolumesPerRegion  = 20
	DBsPerRegion      = 5
	KeysPerRegion     = 10
	PullsPerRepo      = 2
	managementAccount = "100000000000"
	orgLogin          = "bench-org"
)

// regionNames returns the first n region names.
func regionNames(n int) []string {
	all := []string{"eu-central-1", "us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2", "eu-north-1", "ca-central-1", "sa-east-1"}
	return all[:min(n, len(all))]
}

// AWSOrg returns the simulated AWS organisation: a management account
// with Accounts-1 members, each with Buckets buckets spread over the
// regions and, per region, volumes, DB instances and keys. About a tenth
// of everything is non-compliant. The same seed gives the same
// organisation.
func AWSOrg(seed uint64, sz Size, now time.Time) *awsfake.State {
	rng := rand.New(rand.NewPCG(seed, 1))
	regions := regionNames(sz.Regions)
	usersPerAccount := sz.Identities / 2 / max(sz.Accounts, 1)
	account := func(id string) *awsfake.State {
		st := &awsfake.State{AccountID: id, Regions: regions, EBSDefaultEncryption: map[string]bool{},
			PasswordPolicy: &awsfake.PasswordPolicy{MinimumLength: 14, RequireSymbols: true, RequireNumbers: true, RequireUppercase: true, RequireLowercase: true, MaxAgeDays: 90, ReusePrevention: 24},
			Root:           awsfake.Root{Created: now.AddDate(-3, 0, 0), MFA: true}}
		for i := range sz.Buckets {
			b := awsfake.Bucket{Name: fmt.Sprintf("b-%s-%04d", id, i), Region: regions[i%len(regions)], Created: now.AddDate(0, 0, -rng.IntN(900)),
				Encryption: "aws:kms", Versioning: "Enabled",
				PublicAccessBlock: &awsfake.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}}
			if rng.IntN(10) == 0 {
				b.Encryption, b.PublicAccessBlock, b.Versioning = "", nil, ""
			}
			st.Buckets = append(st.Buckets, b)
		}
		for _, r := range regions {
			st.EBSDefaultEncryption[r] = rng.IntN(10) != 0
			for i := range VolumesPerRegion {
				st.Volumes = append(st.Volumes, awsfake.Volume{ID: fmt.Sprintf("vol-%s%s%04d", id[:4], r[:2], i), Region: r, Encrypted: rng.IntN(10) != 0, SizeGiB: 8 + rng.IntN(500), State: "in-use"})
			}
			for i := range DBsPerRegion {
				st.DBInstances = append(st.DBInstances, awsfake.DBInstance{ID: fmt.Sprintf("db-%s-%d", r, i), Region: r, Engine: "postgres", Encrypted: rng.IntN(10) != 0, BackupRetention: 7, MultiAZ: true, DeletionProtection: true})
			}
			for i := range KeysPerRegion {
				st.Keys = append(st.Keys, awsfake.Key{ID: fmt.Sprintf("%08x-0000-4000-8000-%012d", rng.Uint32(), i), Region: r, Manager: "CUSTOMER", State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Rotation: rng.IntN(10) != 0, Created: now.AddDate(-1, 0, 0)})
			}
			st.Detectors = append(st.Detectors, awsfake.Detector{ID: "det-" + r, Region: r, Enabled: true})
		}
		st.Trails = []awsfake.Trail{{Name: "org-trail", HomeRegion: regions[0], MultiRegion: true, LogValidation: true, Logging: true, Organization: true, S3Bucket: fmt.Sprintf("b-%s-%04d", id, 0)}}
		for i := range usersPerAccount {
			u := awsfake.User{Name: fmt.Sprintf("user-%05d", i), Created: now.AddDate(0, 0, -rng.IntN(700)), Password: true, MFA: rng.IntN(20) != 0,
				PasswordLastUsed: now.AddDate(0, 0, -rng.IntN(60))}
			if rng.IntN(3) == 0 {
				u.AccessKeys = []awsfake.AccessKey{{Active: true, Rotated: now.AddDate(0, 0, -rng.IntN(200)), LastUsed: now.AddDate(0, 0, -rng.IntN(10))}}
			}
			st.Users = append(st.Users, u)
		}
		return st
	}
	mgmt := account(managementAccount)
	mgmt.Members = map[string]*awsfake.State{}
	for i := 1; i < sz.Accounts; i++ {
		id := fmt.Sprintf("%012d", 100000000000+i)
		mgmt.Members[id] = account(id)
	}
	return mgmt
}

// GitHubOrg returns the simulated GitHub organisation: Repos repositories
// (most protected, scanned and reviewed, about a tenth not) and
// Identities/2 members. The same seed gives the same organisation.
func GitHubOrg(seed uint64, sz Size, now time.Time) *githubfake.State {
	rng := rand.New(rand.NewPCG(seed, 2))
	ago := func(d int) time.Time { return now.AddDate(0, 0, -d).UTC().Truncate(time.Second) }
	org := &githubfake.Org{Login: orgLogin, TwoFactorRequired: true, DefaultRepoPermission: "read"}
	members := max(sz.Identities/2, 1)
	for i := range members {
		org.Members = append(org.Members, githubfake.Member{Login: fmt.Sprintf("dev-%05d", i), Owner: i == 0, TwoFactor: rng.IntN(50) != 0})
	}
	for i := range sz.Repos {
		r := &githubfake.Repo{ID: int64(1000 + i), Name: fmt.Sprintf("repo-%05d", i), Visibility: "private", DefaultBranch: "main",
			DependabotEnabled: true, SecretScanningEnabled: true, CodeScanning: true,
			Analyses: []githubfake.Analysis{{Tool: "CodeQL", CreatedAt: ago(1 + rng.IntN(5))}}}
		if rng.IntN(10) != 0 {
			r.Protection = &githubfake.Protection{RequiredReviews: 1 + rng.IntN(2), DismissStale: true, StatusChecks: true, EnforceAdmins: true}
		}
		if rng.IntN(10) == 0 {
			r.DependabotAlerts = []githubfake.Alert{{Number: 1, Severity: "critical", State: "open", CreatedAt: ago(10 + rng.IntN(100))}}
		}
		for p := range PullsPerRepo {
			author := org.Members[rng.IntN(members)].Login
			reviewer := org.Members[rng.IntN(members)].Login
			r.Pulls = append(r.Pulls, githubfake.Pull{Number: p + 1, Author: author, MergedAt: ago(1 + rng.IntN(80)), UpdatedAt: ago(1 + rng.IntN(80)),
				Reviews: []githubfake.Review{{User: reviewer, State: "APPROVED"}}})
		}
		org.Repos = append(org.Repos, r)
	}
	return &githubfake.State{Orgs: []*githubfake.Org{org}, ViewerIsOwner: true, MaxPerPage: 100}
}
