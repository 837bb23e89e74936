package azure

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/sql/armsql"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

const (
	opSQLServersList   = "Microsoft.Sql/servers/read"
	opSQLFirewallList  = "Microsoft.Sql/servers/firewallRules/read"
	opSQLAuditingGet   = "Microsoft.Sql/servers/auditingSettings/read"
	opSQLDatabasesList = "Microsoft.Sql/servers/databases/read"
	opSQLTDEGet        = "Microsoft.Sql/servers/databases/transparentDataEncryption/read"
	opSQLRetentionGet  = "Microsoft.Sql/servers/databases/backupShortTermRetentionPolicies/read"
	typeSQLServer      = "azure.sql.server"
	typeSQLDatabase    = "azure.sql.database"
)

// SQLServers lists the Azure SQL logical servers of a subscription with
// their TLS, network, authentication, firewall and auditing settings, and
// their databases with transparent data encryption and backup retention.
//
// API: https://learn.microsoft.com/rest/api/sql/servers/list,
// firewall-rules/list-by-server, server-blob-auditing-policies/get,
// databases/list-by-server, transparent-data-encryptions/get,
// backup-short-term-retention-policies/get.
// Operations: GET .../providers/Microsoft.Sql/servers?$expand=administrators/activedirectory,
// .../servers/{s}/firewallRules, .../servers/{s}/auditingSettings/default,
// .../servers/{s}/databases, .../databases/{d}/transparentDataEncryption/current,
// .../databases/{d}/backupShortTermRetentionPolicies/default.
type SQLServers struct{ src *Source }

// Describe returns the collector's metadata.
func (c *SQLServers) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "azure.sql", Version: 1, Source: SourceName, Title: "SQL servers and databases",
		ResourceTypes: []collectors.ResourceType{
			{Name: typeSQLServer, Doc: "An Azure SQL logical server. ID is its resource ID, lower-cased.", Attributes: []collectors.Attribute{
				{Name: "location", Type: "string", Doc: "The server's region, lower-cased."},
				{Name: "minimal_tls_version", Type: "string", Doc: "minimalTlsVersion: 1.0, 1.1, 1.2, 1.3, or None (any version) when unset."},
				{Name: "public_network_access", Type: "string", Doc: "publicNetworkAccess: Enabled, Disabled or SecuredByPerimeter."},
				{Name: "entra_only_auth", Type: "bool", Doc: "Only Microsoft Entra authentication is allowed (azureADOnlyAuthentication); SQL logins are off."},
				{Name: "firewall_rules", Type: "int", Doc: "The number of server firewall rules."},
				{Name: "open_to_internet", Type: "bool", Doc: "A firewall rule allows 0.0.0.0 to 255.255.255.255, every internet address."},
				{Name: "allows_azure_services", Type: "bool", Doc: "The rule 0.0.0.0 to 0.0.0.0 (AllowAllWindowsAzureIps) lets every Azure service, of any customer, connect."},
				{Name: "auditing_enabled", Type: "bool", Doc: "Server auditing (auditingSettings/default) is Enabled."},
			}},
			{Name: typeSQLDatabase, Doc: "A database of an Azure SQL server, master excepted. ID is its resource ID, lower-cased.", Attributes: []collectors.Attribute{
				{Name: "server", Type: "string", Doc: "The name of its server."},
				{Name: "tde_enabled", Type: "bool", Doc: "Transparent data encryption (transparentDataEncryption/current) is Enabled."},
				{Name: "backup_retention_days", Type: "int", Doc: "How many days point-in-time restore backups are kept (backupShortTermRetentionPolicies/default retentionDays, 1 to 35)."},
				{Name: "backup_storage_redundancy", Type: "string", Doc: "Where the backups are stored (currentBackupStorageRedundancy): Geo, GeoZone, Zone or Local."},
			}},
		},
		Permissions:      []string{opSQLServersList, opSQLFirewallList, opSQLAuditingGet, opSQLDatabasesList, opSQLTDEGet, opSQLRetentionGet},
		CallsPerResource: 5,
	}
}

// Collect lists the SQL servers of subscription target.Account and reads
// each one's firewall rules, auditing and databases.
func (c *SQLServers) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	sub := target.Account
	servers, err := newClient(c.src, armsql.NewServersClient, sub)
	if err != nil {
		return err
	}
	var found []*armsql.Server
	err = list(ctx, c.src, out, servers.NewListPager(&armsql.ServersClientListOptions{Expand: to.Ptr("administrators/activedirectory")}), opSQLServersList, "Microsoft.Sql",
		func(p armsql.ServersClientListResponse) { found = append(found, p.Value...) })
	if err != nil {
		return fmt.Errorf("azure %s %s: %w", opSQLServersList, sub, err)
	}
	cl, err := c.clients(sub)
	if err != nil {
		return err
	}
	return each(ctx, c.src, found, func(ctx context.Context, s *armsql.Server) error {
		return cl.server(ctx, sub, s, out)
	})
}

type sqlClients struct {
	src   *Source
	fw    *armsql.FirewallRulesClient
	audit *armsql.ServerBlobAuditingPoliciesClient
	dbs   *armsql.DatabasesClient
	tde   *armsql.TransparentDataEncryptionsClient

	retention *armsql.BackupShortTermRetentionPoliciesClient
}

func (c *SQLServers) clients(sub string) (*sqlClients, error) {
	cl := sqlClients{src: c.src}
	var err error
	if cl.fw, err = newClient(c.src, armsql.NewFirewallRulesClient, sub); err != nil {
		return nil, err
	}
	if cl.audit, err = newClient(c.src, armsql.NewServerBlobAuditingPoliciesClient, sub); err != nil {
		return nil, err
	}
	if cl.dbs, err = newClient(c.src, armsql.NewDatabasesClient, sub); err != nil {
		return nil, err
	}
	if cl.tde, err = newClient(c.src, armsql.NewTransparentDataEncryptionsClient, sub); err != nil {
		return nil, err
	}
	if cl.retention, err = newClient(c.src, armsql.NewBackupShortTermRetentionPoliciesClient, sub); err != nil {
		return nil, err
	}
	return &cl, nil
}

// server reads one server's firewall rules, auditing and databases, and
// emits it and its databases. A failed call leaves its attributes as gaps
// and is reported; it returns an error only when the run was stopped.
func (cl *sqlClients) server(ctx context.Context, sub string, s *armsql.Server, out collectors.Sink) error {
	tctx, trace := collectors.WithTrace(ctx)
	rg, name := resourceGroup(str(s.ID)), str(s.Name)
	p := s.Properties
	if p == nil {
		p = &armsql.ServerProperties{}
	}
	tls := str(p.MinimalTLSVersion)
	if tls == "" {
		tls = "None"
	}
	public := "Enabled"
	if p.PublicNetworkAccess != nil {
		public = string(*p.PublicNetworkAccess)
	}
	entraOnly := p.Administrators != nil && boolOr(p.Administrators.AzureADOnlyAuthentication, false)
	attrs := map[string]any{"location": lower(s.Location), "minimal_tls_version": tls, "public_network_access": public, "entra_only_auth": entraOnly}
	var gaps []evidence.Gap
	fail := func(err error, attrs ...string) {
		for _, a := range attrs {
			gaps = append(gaps, collectors.GapOf(err, a))
		}
		out.Fail(collectors.FailureOf(err, strings.ToLower(str(s.ID))))
	}

	var rules []*armsql.FirewallRule
	err := list(tctx, cl.src, out, cl.fw.NewListByServerPager(rg, name, nil), opSQLFirewallList, "Microsoft.Sql", func(p armsql.FirewallRulesClientListByServerResponse) { rules = append(rules, p.Value...) })
	if collectors.Stopped(err) {
		return err
	}
	if err != nil {
		fail(err, "firewall_rules", "open_to_internet", "allows_azure_services")
	} else {
		open, azure := firewallExposure(rules)
		attrs["firewall_rules"], attrs["open_to_internet"], attrs["allows_azure_services"] = len(rules), open, azure
	}

	audit, err := cl.audit.Get(tctx, rg, name, nil)
	switch {
	case collectors.Stopped(err):
		return err
	case err != nil:
		fail(cl.src.classify(err, opSQLAuditingGet), "auditing_enabled")
	default:
		attrs["auditing_enabled"] = audit.Properties != nil && audit.Properties.State != nil && *audit.Properties.State == armsql.BlobAuditingPolicyStateEnabled
	}

	r := resource(typeSQLServer, sub, s.ID, s.Name, s.Location, attrs)
	r.Gaps = gaps
	r.Records = trace.Records()
	out.Emit(r)
	return cl.databases(ctx, sub, rg, name, str(s.ID), out)
}

// firewallExposure reports whether rules admit every internet address, and
// whether they hold the 0.0.0.0 rule that admits every Azure service.
func firewallExposure(rules []*armsql.FirewallRule) (open, azure bool) {
	for _, r := range rules {
		if r == nil || r.Properties == nil {
			continue
		}
		start, end := str(r.Properties.StartIPAddress), str(r.Properties.EndIPAddress)
		if start == "0.0.0.0" && end == "255.255.255.255" {
			open = true
		}
		if start == "0.0.0.0" && end == "0.0.0.0" {
			azure = true
		}
	}
	return open, azure
}

// databases lists the databases of a server and reads each one's
// transparent data encryption. A failed listing is reported on the server.
func (cl *sqlClients) databases(ctx context.Context, sub, rg, server, serverID string, out collectors.Sink) error {
	var dbs []*armsql.Database
	err := list(ctx, cl.src, out, cl.dbs.NewListByServerPager(rg, server, nil), opSQLDatabasesList, "Microsoft.Sql", func(p armsql.DatabasesClientListByServerResponse) { dbs = append(dbs, p.Value...) })
	if collectors.Stopped(err) {
		return err
	}
	if err != nil {
		out.Fail(collectors.FailureOf(err, strings.ToLower(serverID)))
		return nil
	}
	for _, d := range dbs {
		if d == nil || strings.EqualFold(str(d.Name), "master") {
			continue
		}
		if err := cl.database(ctx, sub, rg, server, d, out); err != nil {
			return err
		}
	}
	return nil
}

// database reads one database's transparent data encryption and
// short-term backup retention, and emits it. It returns an error only when
// the run was stopped.
func (cl *sqlClients) database(ctx context.Context, sub, rg, server string, d *armsql.Database, out collectors.Sink) error {
	tctx, trace := collectors.WithTrace(ctx)
	redundancy := ""
	if d.Properties != nil && d.Properties.CurrentBackupStorageRedundancy != nil {
		redundancy = string(*d.Properties.CurrentBackupStorageRedundancy)
	}
	attrs := map[string]any{"server": server, "backup_storage_redundancy": redundancy}
	r := resource(typeSQLDatabase, sub, d.ID, d.Name, d.Location, attrs)
	fail := func(err error, op, attr string) {
		err = cl.src.classify(err, op)
		r.Gaps = append(r.Gaps, collectors.GapOf(err, attr))
		out.Fail(collectors.FailureOf(err, r.ID))
	}
	tde, err := cl.tde.Get(tctx, rg, server, str(d.Name), armsql.TransparentDataEncryptionNameCurrent, nil)
	switch {
	case collectors.Stopped(err):
		return err
	case err != nil:
		fail(err, opSQLTDEGet, "tde_enabled")
	default:
		attrs["tde_enabled"] = tde.Properties != nil && tde.Properties.State != nil && *tde.Properties.State == armsql.TransparentDataEncryptionStateEnabled
	}
	policy, err := cl.retention.Get(tctx, rg, server, str(d.Name), armsql.ShortTermRetentionPolicyNameDefault, nil)
	switch {
	case collectors.Stopped(err):
		return err
	case err != nil:
		fail(err, opSQLRetentionGet, "backup_retention_days")
	case policy.Properties == nil || policy.Properties.RetentionDays == nil:
		fail(errors.New("the short-term retention policy names no retentionDays"), opSQLRetentionGet, "backup_retention_days")
	default:
		attrs["backup_retention_days"] = int(*policy.Properties.RetentionDays)
	}
	r.Records = trace.Records()
	out.Emit(r)
	return nil
}
