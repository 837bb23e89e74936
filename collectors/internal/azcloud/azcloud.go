// Package azcloud is the one table of Microsoft's national clouds that the
// Azure and Microsoft Entra ID sources accept in their cloud setting: each
// cloud's sign-in authority and Resource Manager endpoint (azcore's cloud
// configuration) and its Microsoft Graph endpoint.
package azcloud

import (
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"

	"github.com/attestdev/attest/collectors"
)

// A Cloud is one national cloud.
type Cloud struct {
	// Config is the sign-in authority and the Resource Manager endpoint.
	Config cloud.Configuration
	// Graph is the Microsoft Graph endpoint, scheme and host
	// (https://learn.microsoft.com/graph/deployments).
	Graph string
}

// clouds maps the accepted names, lower case, to the clouds. The empty
// name is the public cloud.
var clouds = map[string]Cloud{
	"public":       {cloud.AzurePublic, "https://graph.microsoft.com"},
	"usgovernment": {cloud.AzureGovernment, "https://graph.microsoft.us"},
	"china":        {cloud.AzureChina, "https://microsoftgraph.chinacloudapi.cn"},
}

// aliases are the SDK's names for the same clouds.
var aliases = map[string]string{"": "public", "azurepublic": "public", "azuregovernment": "usgovernment", "azurechina": "china"}

// Lookup returns the cloud called name: public (also empty or
// azurepublic), usgovernment (azuregovernment) or china (azurechina), in
// any case. Any other name is a *collectors.FieldError on the field
// "cloud" that lists the names, so that attest.yaml's loader reports the
// line of the setting.
func Lookup(name string) (Cloud, error) {
	n := strings.ToLower(name)
	if a, ok := aliases[n]; ok {
		n = a
	}
	c, ok := clouds[n]
	if !ok {
		return Cloud{}, &collectors.FieldError{Field: "cloud", Err: fmt.Errorf("cloud %q is not one of china, public, usgovernment", name)}
	}
	return c, nil
}
