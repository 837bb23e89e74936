package awsfake

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// SDKConfig returns an AWS SDK configuration that sends every service's
// requests to the fake at url (the base URL of a server running
// NewHandler) with static demo credentials, in region eu-central-1. client
// may be nil. Set it as the aws source's Config.AWS; it never reads the
// environment or ~/.aws.
func SDKConfig(url string, client *http.Client) *aws.Config {
	cfg := &aws.Config{
		Region:       "eu-central-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAFAKEDEMO", "fake-secret", ""),
		BaseEndpoint: aws.String(url),
	}
	if client != nil {
		cfg.HTTPClient = client
	}
	return cfg
}
