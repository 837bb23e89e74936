package azcloud

import (
	"errors"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"

	"github.com/attestdev/attest/collectors"
)

// TestLookup checks the accepted names, their aliases and case, and the
// error for any other name.
func TestLookup(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		authority string
		graph     string
	}{
		{"", cloud.AzurePublic.ActiveDirectoryAuthorityHost, "https://graph.microsoft.com"},
		{"public", cloud.AzurePublic.ActiveDirectoryAuthorityHost, "https://graph.microsoft.com"},
		{"AzurePublic", cloud.AzurePublic.ActiveDirectoryAuthorityHost, "https://graph.microsoft.com"},
		{"usgovernment", cloud.AzureGovernment.ActiveDirectoryAuthorityHost, "https://graph.microsoft.us"},
		{"azuregovernment", cloud.AzureGovernment.ActiveDirectoryAuthorityHost, "https://graph.microsoft.us"},
		{"China", cloud.AzureChina.ActiveDirectoryAuthorityHost, "https://microsoftgraph.chinacloudapi.cn"},
		{"azurechina", cloud.AzureChina.ActiveDirectoryAuthorityHost, "https://microsoftgraph.chinacloudapi.cn"},
	} {
		c, err := Lookup(tt.name)
		if err != nil || c.Config.ActiveDirectoryAuthorityHost != tt.authority || c.Graph != tt.graph {
			t.Errorf("Lookup(%q) = %s, %s, %v; want %s, %s", tt.name, c.Config.ActiveDirectoryAuthorityHost, c.Graph, err, tt.authority, tt.graph)
		}
	}
	for _, name := range []string{"germany", "mars", "azure"} {
		_, err := Lookup(name)
		var fe *collectors.FieldError
		if want := `cloud "` + name + `" is not one of china, public, usgovernment`; !errors.As(err, &fe) || fe.Field != "cloud" || fe.Err.Error() != want {
			t.Errorf("Lookup(%q): %v, want %q on the field cloud", name, err, want)
		}
	}
}
