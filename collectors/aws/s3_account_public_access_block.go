package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// S3AccountPublicAccessBlockType is the resource type of the account-level
// S3 Block Public Access settings, emitted by the aws.s3 collector. It is
// read with S3 Control GetPublicAccessBlock:
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetPublicAccessBlock.html
const S3AccountPublicAccessBlockType = "aws.s3.account_public_access_block"

// s3AccountPABOp names the S3 Control operation in errors and raw evidence;
// its IAM action is s3:GetAccountPublicAccessBlock.
const s3AccountPABOp = "s3control:GetPublicAccessBlock"

// s3AccountPABResourceType documents the account-level resource.
var s3AccountPABResourceType = collectors.ResourceType{
	Name: S3AccountPublicAccessBlockType,
	Doc:  "The account-level S3 Block Public Access settings, which apply to every bucket of the account. ID is arn:aws:s3:::account/<account>.",
	Attributes: []collectors.Attribute{
		{Name: "all", Type: "bool", Doc: "All four account-level settings are on (false when the account has no configuration)."},
		{Name: "settings", Type: "map", Doc: "The four account-level settings (false when the account has no configuration)."},
	},
}

// accountPublicAccessBlock reads the account-level public access block of
// target's account and returns its resource. A failure is recorded as gaps
// on the resource, reported to out, and returned so that bucket attributes
// derived from it become gaps too. Cancellation is returned unrecorded.
func (c *S3Buckets) accountPublicAccessBlock(ctx context.Context, cfg awssdk.Config, target evidence.Target, out collectors.Sink) (evidence.Resource, error) {
	ctx, trace := collectors.WithTrace(ctx)
	res := evidence.Resource{
		Type: S3AccountPublicAccessBlockType, ID: "arn:aws:s3:::account/" + target.Account,
		Name: "S3 account " + target.Account, Account: target.Account, Attributes: map[string]any{},
	}
	settings, err := readAccountPAB(ctx, cfg, target.Account)
	if err != nil {
		if ctx.Err() != nil {
			return res, err
		}
		fail(out, &res, err, "all", "settings")
		res.Records = trace.Records()
		return res, err
	}
	res.Attributes["all"] = allOn(settings)
	res.Attributes["settings"] = settings
	res.Records = trace.Records()
	return res, nil
}

// readAccountPAB reads the account-level S3 Block Public Access settings of
// account with S3 Control GetPublicAccessBlock; an account without a
// configuration has all four off.
func readAccountPAB(ctx context.Context, cfg awssdk.Config, account string) (map[string]any, error) {
	cl := s3control.NewFromConfig(cfg, func(o *s3control.Options) {
		if o.BaseEndpoint != nil {
			// A custom endpoint (a local fake, LocalStack) serves the
			// account in the x-amz-account-id header, not the host name,
			// like path-style S3.
			o.EndpointResolverV2 = accountlessResolver{s3control.NewDefaultEndpointResolverV2()}
			o.APIOptions = append(o.APIOptions, disableHostPrefix)
		}
	})
	pab, err := cl.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: awssdk.String(account)})
	var cfgPAB *s3ctypes.PublicAccessBlockConfiguration
	switch {
	case isCode(err, "NoSuchPublicAccessBlockConfiguration"):
	case err != nil:
		return nil, apiError(s3AccountPABOp, fmt.Errorf("aws s3control GetPublicAccessBlock %s: %w", account, err))
	default:
		cfgPAB = pab.PublicAccessBlockConfiguration
	}
	if cfgPAB == nil {
		cfgPAB = &s3ctypes.PublicAccessBlockConfiguration{}
	}
	return map[string]any{
		"block_public_acls":       awssdk.ToBool(cfgPAB.BlockPublicAcls),
		"ignore_public_acls":      awssdk.ToBool(cfgPAB.IgnorePublicAcls),
		"block_public_policy":     awssdk.ToBool(cfgPAB.BlockPublicPolicy),
		"restrict_public_buckets": awssdk.ToBool(cfgPAB.RestrictPublicBuckets),
	}, nil
}

// allOn reports whether every public access block setting is true.
func allOn(settings map[string]any) bool {
	for _, v := range settings {
		if b, _ := v.(bool); !b {
			return false
		}
	}
	return true
}

// accountlessResolver resolves S3 Control endpoints without the account id
// host label.
type accountlessResolver struct{ s3control.EndpointResolverV2 }

func (r accountlessResolver) ResolveEndpoint(ctx context.Context, p s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	p.RequiresAccountId = awssdk.Bool(false)
	p.AccountId = nil
	return r.EndpointResolverV2.ResolveEndpoint(ctx, p)
}

// disableHostPrefix stops the SDK from prefixing the host with the account
// id.
func disableHostPrefix(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("attestDisableHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}
