package gcp

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	sqladmin "google.golang.org/api/sqladmin/v1"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// SQLInstances collects the Cloud SQL instances of a project with their
// backup, point-in-time recovery, TLS, public and private IP, availability and
// encryption settings, all from the instance list.
//
// Cloud SQL Admin API docs: https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1/instances/list
// Operation: cloudsql.instances.list (GET /v1/projects/{project}/instances).
type SQLInstances struct{ src *Source }

const (
	opSQLList   = "cloudsql.instances.list"
	typeSQL     = "gcp.sql.instance"
	permSQLList = "cloudsql.instances.list"
)

// Describe returns the collector's metadata.
func (c *SQLInstances) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gcp.sql", Version: 1, Source: SourceName, Title: "Cloud SQL instances",
		ResourceTypes: []collectors.ResourceType{{Name: typeSQL, Doc: "A Cloud SQL instance. ID is its self link.", Attributes: []collectors.Attribute{
			{Name: "database_version", Type: "string", Doc: "Engine and version, e.g. POSTGRES_16 or MYSQL_8_0."},
			{Name: "location", Type: "string", Doc: "Region of the instance, e.g. europe-west3."},
			{Name: "replica", Type: "bool", Doc: "The instance is a read replica (replicas have no backups of their own)."},
			{Name: "backups_enabled", Type: "bool", Doc: "Automated daily backups are enabled."},
			{Name: "point_in_time_recovery", Type: "bool", Doc: "Point-in-time recovery is enabled (binary logging on MySQL)."},
			{Name: "require_ssl", Type: "bool", Doc: "Connections must use TLS (requireSsl, or sslMode ENCRYPTED_ONLY / TRUSTED_CLIENT_CERTIFICATE_REQUIRED)."},
			{Name: "public_ip", Type: "bool", Doc: "The instance has a public IPv4 address."},
			{Name: "private_network", Type: "bool", Doc: "The instance has a private IP address in a VPC network (ipConfiguration.privateNetwork)."},
			{Name: "open_to_internet", Type: "bool", Doc: "An authorised network is 0.0.0.0/0."},
			{Name: "high_availability", Type: "bool", Doc: "Availability type is REGIONAL (a standby in a second zone)."},
			{Name: "cmek", Type: "bool", Doc: "The disk is encrypted with a customer-managed key."},
		}}},
		Permissions: []string{permSQLList},
	}
}

// Collect lists the instances of project target.Account. A project with the
// Cloud SQL Admin API disabled has no instances.
func (c *SQLInstances) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	opts, err := c.src.options(ctx, "sqladmin", "")
	if err != nil {
		return err
	}
	svc, err := sqladmin.NewService(ctx, opts...)
	if err != nil {
		return fmt.Errorf("gcp sqladmin client: %w", err)
	}
	tctx, trace := collectors.WithTrace(ctx)
	var insts []*sqladmin.DatabaseInstance
	err = svc.Instances.List(target.Account).Pages(tctx, func(p *sqladmin.InstancesListResponse) error {
		insts = append(insts, p.Items...)
		return nil
	})
	if err != nil {
		if apiDisabled(err) {
			return nil
		}
		return fmt.Errorf("gcp %s %s: %w", opSQLList, target.Account, gcpapi.Classify(err, opSQLList, permSQLList))
	}
	records := trace.Records()
	slices.SortFunc(insts, func(a, b *sqladmin.DatabaseInstance) int { return cmp.Compare(a.Name, b.Name) })
	for _, in := range insts {
		attrs := map[string]any{
			"database_version": in.DatabaseVersion, "location": in.Region,
			"replica":         in.InstanceType == "READ_REPLICA_INSTANCE",
			"backups_enabled": false, "point_in_time_recovery": false, "require_ssl": false,
			"public_ip": false, "private_network": false, "open_to_internet": false, "high_availability": false,
			"cmek": in.DiskEncryptionConfiguration != nil && in.DiskEncryptionConfiguration.KmsKeyName != "",
		}
		if st := in.Settings; st != nil {
			attrs["high_availability"] = st.AvailabilityType == "REGIONAL"
			if bc := st.BackupConfiguration; bc != nil {
				attrs["backups_enabled"] = bc.Enabled
				attrs["point_in_time_recovery"] = bc.PointInTimeRecoveryEnabled || bc.BinaryLogEnabled
			}
			if ip := st.IpConfiguration; ip != nil {
				attrs["require_ssl"] = ip.RequireSsl || ip.SslMode == "ENCRYPTED_ONLY" || ip.SslMode == "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
				attrs["public_ip"] = ip.Ipv4Enabled
				attrs["private_network"] = ip.PrivateNetwork != ""
				attrs["open_to_internet"] = slices.ContainsFunc(ip.AuthorizedNetworks, func(n *sqladmin.AclEntry) bool {
					return n.Value == "0.0.0.0/0" || n.Value == "::/0"
				})
			}
		}
		id := in.SelfLink
		if id == "" {
			id = "https://sqladmin.googleapis.com/v1/projects/" + target.Account + "/instances/" + in.Name
		}
		out.Emit(evidence.Resource{Type: typeSQL, ID: id, Name: in.Name, Account: target.Account,
			Region: strings.ToLower(in.Region), Attributes: attrs, Records: records})
	}
	return nil
}
