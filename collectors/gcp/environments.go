package gcp

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	crmv1 "google.golang.org/api/cloudresourcemanager/v1"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// Environment collects, per project, the environment (prod or nonprod)
// that Config.Environments gives the project directly or through its
// nearest classified folder or organisation.
//
// Resource Manager API docs: https://cloud.google.com/resource-manager/reference/rest/v1/projects/getAncestry
// Operation: resourcemanager.projects.getAncestry (POST
// /v1/projects/{projectId}:getAncestry, a read; permission
// resourcemanager.projects.get), called only when Config.Environments names
// a folder or an organisation and not the project itself.
type Environment struct{ src *Source }

const (
	opGetAncestry   = "resourcemanager.projects.getAncestry"
	permProjectsGet = "resourcemanager.projects.get"
	typeProject     = "gcp.project"
)

// The environments a project can be classified as.
const (
	envProd    = "prod"
	envNonprod = "nonprod"
)

// Describe returns the collector's metadata.
func (c *Environment) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gcp.environment", Version: 1, Source: SourceName, Title: "Project environments (prod or nonprod)",
		ResourceTypes: []collectors.ResourceType{{Name: typeProject, Doc: "A Google Cloud project and its environment. ID is //cloudresourcemanager.googleapis.com/projects/ID.", Attributes: []collectors.Attribute{
			{Name: "environment", Type: "string", Doc: `"prod" or "nonprod" from gcp.environments; a gap when neither the project nor a folder or organisation above it is classified, or when its ancestry cannot be read.`},
			{Name: "classified", Type: "bool", Doc: "gcp.environments classifies the project, by its ID or through a folder or organisation above it; a gap when its ancestry cannot be read."},
			{Name: "classified_by", Type: "string", Doc: `The gcp.environments key that classified the project: its own ID, "folders/ID" or "organizations/ID"; "" when unclassified; a gap when its ancestry cannot be read.`},
		}}},
		Permissions: []string{permProjectsGet},
	}
}

// Collect classifies project target.Account.
func (c *Environment) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	tctx, trace := collectors.WithTrace(ctx)
	cl := c.src.classifier().classify(tctx, target.Account)
	r := evidence.Resource{Type: typeProject, ID: "//cloudresourcemanager.googleapis.com/projects/" + target.Account, Name: target.Account,
		Account: target.Account, Attributes: map[string]any{}}
	switch {
	case cl.err != nil && gcpapi.Canceled(cl.err):
		return cl.err
	case cl.err != nil:
		r.Gaps = append(r.Gaps, collectors.GapOf(cl.err, "environment"), collectors.GapOf(cl.err, "classified"), collectors.GapOf(cl.err, "classified_by"))
		out.Fail(collectors.FailureOf(cl.err, r.ID))
	case cl.env == "":
		r.Attributes["classified"], r.Attributes["classified_by"] = false, ""
		r.Gaps = append(r.Gaps, unclassified(target.Account, "environment"))
	default:
		r.Attributes["environment"], r.Attributes["classified"], r.Attributes["classified_by"] = cl.env, true, cl.key
	}
	r.Records = trace.Records()
	out.Emit(r)
	return nil
}

// unclassified is the gap of attribute attr of a project that
// gcp.environments does not classify.
func unclassified(project, attr string) evidence.Gap {
	return evidence.Gap{Attribute: attr, Kind: evidence.Errored,
		Message: "gcp.environments classifies neither project " + project + " nor a folder or organisation above it"}
}

// projectIDPattern matches a project ID, optionally domain-scoped
// ("example.com:my-project"), or a project number.
var projectIDPattern = regexp.MustCompile(`^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]*[a-z0-9]$|^[0-9]+$`)

// CheckEnvironment reports whether key and value form a valid entry of
// gcp.environments: key a project ID, "folders/ID" or "organizations/ID"
// (numeric IDs), value "prod" or "nonprod".
func CheckEnvironment(key, value string) error {
	var errs []error
	if value != envProd && value != envNonprod {
		errs = append(errs, fmt.Errorf("environment %q: want %q or %q", value, envProd, envNonprod))
	}
	kind, id, hierarchy := strings.Cut(key, "/")
	switch {
	case hierarchy && (kind == "folders" || kind == "organizations"):
		if id == "" || strings.Trim(id, "0123456789") != "" {
			errs = append(errs, fmt.Errorf("key %q: a %s ID is a number, e.g. %s/123456789012", key, strings.TrimSuffix(kind, "s"), kind))
		}
	case hierarchy:
		errs = append(errs, fmt.Errorf("key %q: want a project ID, folders/ID or organizations/ID", key))
	case !projectIDPattern.MatchString(key):
		errs = append(errs, fmt.Errorf("key %q: not a project ID (lower-case letters, digits and hyphens)", key))
	}
	return errors.Join(errs...)
}

// A classification is the environment of one project.
type classification struct {
	// env is "prod", "nonprod" or "" when unclassified; key is the
	// gcp.environments key it came from.
	env, key string
	// err is the failed ancestry lookup, classified.
	err error
}

// A classifier classifies projects for one collector run. Its cache lives
// only as long as the run: it is never shared between runs, so every run
// calls and records the getAncestry responses its resources rest on,
// whatever order the runs are scheduled in.
type classifier struct {
	src *Source
	// hierarchy is set when a key names a folder or an organisation, so
	// that a project's ancestry can classify it.
	hierarchy bool
	svc       *crmv1.Service
	cache     map[string]classification
}

// classifier returns a classifier for one collector run.
func (s *Source) classifier() *classifier {
	c := &classifier{src: s, cache: map[string]classification{}}
	for k := range s.cfg.Environments {
		c.hierarchy = c.hierarchy || strings.HasPrefix(k, "folders/") || strings.HasPrefix(k, "organizations/")
	}
	return c
}

// direct returns the classification gcp.environments gives project by its
// own ID, with env "" when it names no such project.
func (c *classifier) direct(project string) classification {
	if env, ok := c.src.cfg.Environments[project]; ok {
		return classification{env: env, key: project}
	}
	return classification{}
}

// classify returns the environment of project: by its own ID, else by its
// ancestors nearest first, read with one getAncestry call.
func (c *classifier) classify(ctx context.Context, project string) classification {
	if cl := c.direct(project); cl.env != "" || !c.hierarchy {
		return cl
	}
	if cl, ok := c.cache[project]; ok {
		return cl
	}
	cl := c.ancestry(ctx, project)
	if cl.err == nil || !gcpapi.Canceled(cl.err) {
		c.cache[project] = cl
	}
	return cl
}

// ancestry classifies project by the nearest folder or organisation above
// it that gcp.environments names.
func (c *classifier) ancestry(ctx context.Context, project string) classification {
	if c.svc == nil {
		opts, err := c.src.options(ctx, "cloudresourcemanager", "")
		if err != nil {
			return classification{err: err}
		}
		if c.svc, err = crmv1.NewService(ctx, opts...); err != nil {
			return classification{err: fmt.Errorf("gcp cloudresourcemanager v1 client: %w", err)}
		}
	}
	resp, err := c.svc.Projects.GetAncestry(project, &crmv1.GetAncestryRequest{}).Context(ctx).Do()
	if err != nil {
		return classification{err: fmt.Errorf("gcp %s %s: %w", opGetAncestry, project, gcpapi.Classify(err, opGetAncestry, permProjectsGet))}
	}
	for _, a := range resp.Ancestor {
		if a.ResourceId == nil {
			continue
		}
		var key string
		switch a.ResourceId.Type {
		case "folder":
			key = "folders/" + a.ResourceId.Id
		case "organization":
			key = "organizations/" + a.ResourceId.Id
		default:
			continue
		}
		if env, ok := c.src.cfg.Environments[key]; ok {
			return classification{env: env, key: key}
		}
	}
	return classification{}
}
