package azure

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mysql/armmysqlflexibleservers"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

const (
	opPostgresList     = "Microsoft.DBforPostgreSQL/flexibleServers/read"
	opPostgresConfig   = "Microsoft.DBforPostgreSQL/flexibleServers/configurations/read"
	opMySQLList        = "Microsoft.DBforMySQL/flexibleServers/read"
	opMySQLConfig      = "Microsoft.DBforMySQL/flexibleServers/configurations/read"
	typeFlexibleServer = "azure.database.flexible_server"
)

// flexibleServerType is the resource type both flexible server collectors
// emit.
var flexibleServerType = collectors.ResourceType{Name: typeFlexibleServer, Doc: "An Azure Database for PostgreSQL or MySQL flexible server. ID is its resource ID, lower-cased.", Attributes: []collectors.Attribute{
	{Name: "engine", Type: "string", Doc: "postgresql or mysql."},
	{Name: "version", Type: "string", Doc: "The engine's major version."},
	{Name: "location", Type: "string", Doc: "The server's region, lower-cased."},
	{Name: "backup_retention_days", Type: "int", Doc: "How many days automated backups are kept (backup.backupRetentionDays, default 7)."},
	{Name: "geo_redundant_backup", Type: "bool", Doc: "Backups are also stored in the paired region (backup.geoRedundantBackup Enabled)."},
	{Name: "high_availability", Type: "bool", Doc: "A standby server runs (highAvailability.mode other than Disabled)."},
	{Name: "public_network_access", Type: "string", Doc: "network.publicNetworkAccess: Enabled or Disabled (private access through a delegated subnet)."},
	{Name: "tls_required", Type: "bool", Doc: "The server parameter require_secure_transport is on: unencrypted connections are refused."},
	{Name: "min_tls_version", Type: "string", Doc: "The lowest TLS version the server accepts, e.g. 1.2 (PostgreSQL ssl_min_protocol_version; MySQL tls_version, its lowest entry)."},
}}

// flexServer is what both engines' listings say about a server.
type flexServer struct {
	id, name, location, version, public, rg string
	retention                               int
	geo, ha                                 bool
}

// PostgresServers lists the Azure Database for PostgreSQL flexible servers
// of a subscription with their backup, availability and network settings,
// and reads their require_secure_transport and ssl_min_protocol_version
// parameters.
//
// API: https://learn.microsoft.com/rest/api/postgresql/flexibleserver/servers/list and configurations/get.
// Operations: GET /subscriptions/{s}/providers/Microsoft.DBforPostgreSQL/flexibleServers,
// GET .../flexibleServers/{name}/configurations/{parameter}.
type PostgresServers struct{ src *Source }

// Describe returns the collector's metadata.
func (c *PostgresServers) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "azure.postgresql", Version: 1, Source: SourceName, Title: "PostgreSQL flexible servers",
		ResourceTypes: []collectors.ResourceType{withFixed(flexibleServerType, "postgresql")},
		Permissions:   []string{opPostgresList, opPostgresConfig}, CallsPerResource: 2,
	}
}

// withFixed returns t with engine fixed to engine.
func withFixed(t collectors.ResourceType, engine string) collectors.ResourceType {
	t.Fixed = map[string]any{"engine": engine}
	return t
}

// Collect lists the PostgreSQL flexible servers of subscription target.Account.
func (c *PostgresServers) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	servers, err := newClient(c.src, armpostgresqlflexibleservers.NewServersClient, target.Account)
	if err != nil {
		return err
	}
	configs, err := newClient(c.src, armpostgresqlflexibleservers.NewConfigurationsClient, target.Account)
	if err != nil {
		return err
	}
	var found []flexServer
	err = list(ctx, c.src, out, servers.NewListPager(nil), opPostgresList, "Microsoft.DBforPostgreSQL", func(p armpostgresqlflexibleservers.ServersClientListResponse) {
		for _, s := range p.Value {
			if s == nil {
				continue
			}
			f := flexServer{id: str(s.ID), name: str(s.Name), location: lower(s.Location), rg: resourceGroup(str(s.ID)), retention: 7, public: "Enabled"}
			if pr := s.Properties; pr != nil {
				if pr.Version != nil {
					f.version = string(*pr.Version)
				}
				if b := pr.Backup; b != nil {
					f.retention = intOr(b.BackupRetentionDays, 7)
					f.geo = b.GeoRedundantBackup != nil && *b.GeoRedundantBackup == armpostgresqlflexibleservers.GeoRedundantBackupEnumEnabled
				}
				f.ha = pr.HighAvailability != nil && pr.HighAvailability.Mode != nil && *pr.HighAvailability.Mode != armpostgresqlflexibleservers.HighAvailabilityModeDisabled
				if pr.Network != nil && pr.Network.PublicNetworkAccess != nil {
					f.public = string(*pr.Network.PublicNetworkAccess)
				}
			}
			found = append(found, f)
		}
	})
	if err != nil {
		return fmt.Errorf("azure %s %s: %w", opPostgresList, target.Account, err)
	}
	get := func(ctx context.Context, f flexServer, param string) (string, error) {
		resp, err := configs.Get(ctx, f.rg, f.name, param, nil)
		if err != nil {
			return "", c.src.classify(err, opPostgresConfig)
		}
		if resp.Properties == nil {
			return "", nil
		}
		return str(resp.Properties.Value), nil
	}
	return c.src.emitFlexible(ctx, target.Account, "postgresql", found, out, get, "ssl_min_protocol_version")
}

// MySQLServers lists the Azure Database for MySQL flexible servers of a
// subscription with their backup, availability and network settings, and
// reads their require_secure_transport and tls_version parameters.
//
// API: https://learn.microsoft.com/rest/api/mysql/flexibleserver/servers/list and configurations/get.
// Operations: GET /subscriptions/{s}/providers/Microsoft.DBforMySQL/flexibleServers,
// GET .../flexibleServers/{name}/configurations/{parameter}.
type MySQLServers struct{ src *Source }

// Describe returns the collector's metadata.
func (c *MySQLServers) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "azure.mysql", Version: 1, Source: SourceName, Title: "MySQL flexible servers",
		ResourceTypes: []collectors.ResourceType{withFixed(flexibleServerType, "mysql")},
		Permissions:   []string{opMySQLList, opMySQLConfig}, CallsPerResource: 2,
	}
}

// Collect lists the MySQL flexible servers of subscription target.Account.
func (c *MySQLServers) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	servers, err := newClient(c.src, armmysqlflexibleservers.NewServersClient, target.Account)
	if err != nil {
		return err
	}
	configs, err := newClient(c.src, armmysqlflexibleservers.NewConfigurationsClient, target.Account)
	if err != nil {
		return err
	}
	var found []flexServer
	err = list(ctx, c.src, out, servers.NewListPager(nil), opMySQLList, "Microsoft.DBforMySQL", func(p armmysqlflexibleservers.ServersClientListResponse) {
		for _, s := range p.Value {
			if s == nil {
				continue
			}
			f := flexServer{id: str(s.ID), name: str(s.Name), location: lower(s.Location), rg: resourceGroup(str(s.ID)), retention: 7, public: "Enabled"}
			if pr := s.Properties; pr != nil {
				if pr.Version != nil {
					f.version = string(*pr.Version)
				}
				if b := pr.Backup; b != nil {
					f.retention = intOr(b.BackupRetentionDays, 7)
					f.geo = b.GeoRedundantBackup != nil && *b.GeoRedundantBackup == armmysqlflexibleservers.EnableStatusEnumEnabled
				}
				f.ha = pr.HighAvailability != nil && pr.HighAvailability.Mode != nil && *pr.HighAvailability.Mode != armmysqlflexibleservers.HighAvailabilityModeDisabled
				if pr.Network != nil && pr.Network.PublicNetworkAccess != nil {
					f.public = string(*pr.Network.PublicNetworkAccess)
				}
			}
			found = append(found, f)
		}
	})
	if err != nil {
		return fmt.Errorf("azure %s %s: %w", opMySQLList, target.Account, err)
	}
	get := func(ctx context.Context, f flexServer, param string) (string, error) {
		resp, err := configs.Get(ctx, f.rg, f.name, param, nil)
		if err != nil {
			return "", c.src.classify(err, opMySQLConfig)
		}
		if resp.Properties == nil {
			return "", nil
		}
		return str(resp.Properties.Value), nil
	}
	return c.src.emitFlexible(ctx, target.Account, "mysql", found, out, get, "tls_version")
}

// emitFlexible reads each server's TLS parameters with get and emits it. A
// failed read leaves its attribute a gap and is reported; it returns an
// error only when the run was stopped.
func (s *Source) emitFlexible(ctx context.Context, sub, engine string, found []flexServer, out collectors.Sink,
	get func(context.Context, flexServer, string) (string, error), tlsParam string,
) error {
	var mu sync.Mutex
	var stopped error
	err := collectors.ForEach(ctx, s.cfg.Concurrency, len(found), func(ctx context.Context, i int) {
		f := found[i]
		tctx, trace := collectors.WithTrace(ctx)
		r := resource(typeFlexibleServer, sub, &f.id, &f.name, &f.location, map[string]any{
			"engine": engine, "version": f.version, "location": f.location, "backup_retention_days": f.retention,
			"geo_redundant_backup": f.geo, "high_availability": f.ha, "public_network_access": f.public,
		})
		read := func(param, attr string, conv func(string) any) bool {
			v, err := get(tctx, f, param)
			if collectors.Stopped(err) {
				mu.Lock()
				stopped = err
				mu.Unlock()
				return false
			}
			if err != nil {
				r.Gaps = append(r.Gaps, collectors.GapOf(err, attr))
				out.Fail(collectors.FailureOf(err, r.ID))
				return true
			}
			r.Attributes[attr] = conv(v)
			return true
		}
		if !read("require_secure_transport", "tls_required", func(v string) any { return strings.EqualFold(v, "on") }) ||
			!read(tlsParam, "min_tls_version", func(v string) any { return lowestTLS(v) }) {
			return
		}
		r.Records = trace.Records()
		out.Emit(r)
	})
	if err != nil {
		return err
	}
	return stopped
}

// lowestTLS returns the lowest version of a TLS parameter value such as
// "TLSv1.2" or "TLSv1,TLSv1.1,TLSv1.2", as "1.2" or "1.0"; "" when there
// is none.
func lowestTLS(v string) string {
	var vs []string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		p = strings.TrimPrefix(strings.TrimPrefix(p, "TLSv"), "tlsv")
		if !strings.Contains(p, ".") {
			p += ".0" // TLSv1 is TLS 1.0
		}
		vs = append(vs, p)
	}
	if len(vs) == 0 {
		return ""
	}
	return slices.Min(vs)
}

// intOr dereferences an int32 pointer, def for nil.
func intOr(p *int32, def int) int {
	if p == nil {
		return def
	}
	return int(*p)
}
