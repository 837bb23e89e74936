//go:build tools

// Package deps pins the modules that packages in progress will import, so
// that go.sum is complete while they are written. It is removed once every
// dependency is imported by real code.
package deps

import (
	_ "cel.dev/cel-go/cel"
	_ "cel.dev/cel-go/ext"
	_ "cloud.google.com/go/storage"
	_ "codeberg.org/go-pdf/fpdf"
	_ "github.com/aws/aws-sdk-go-v2/aws"
	_ "github.com/aws/aws-sdk-go-v2/aws/retry"
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/credentials"
	_ "github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	_ "github.com/aws/aws-sdk-go-v2/service/backup"
	_ "github.com/aws/aws-sdk-go-v2/service/cloudfront"
	_ "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	_ "github.com/aws/aws-sdk-go-v2/service/ec2"
	_ "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	_ "github.com/aws/aws-sdk-go-v2/service/guardduty"
	_ "github.com/aws/aws-sdk-go-v2/service/iam"
	_ "github.com/aws/aws-sdk-go-v2/service/kms"
	_ "github.com/aws/aws-sdk-go-v2/service/organizations"
	_ "github.com/aws/aws-sdk-go-v2/service/rds"
	_ "github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/aws/aws-sdk-go-v2/service/sts"
	_ "github.com/aws/smithy-go"
	_ "github.com/defenseunicorns/go-oscal/src/pkg/validation"
	_ "github.com/digitorus/pdfsign/sign"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/google/go-github/v92/github"
	_ "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "github.com/spf13/cobra"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/sync/errgroup"
	_ "google.golang.org/api/admin/directory/v1"
	_ "google.golang.org/api/cloudkms/v1"
	_ "google.golang.org/api/cloudresourcemanager/v3"
	_ "google.golang.org/api/compute/v1"
	_ "google.golang.org/api/iam/v1"
	_ "google.golang.org/api/option"
	_ "google.golang.org/api/sqladmin/v1"
	_ "google.golang.org/api/storage/v1"
)
