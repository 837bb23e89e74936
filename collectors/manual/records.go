package manual

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// A Collector reads the records of the evidence directory. It emits one
// manual.evidence resource per record and keeps the record file and every
// attachment as raw evidence, so the bundle holds the proof itself.
//
// A record that does not parse is reported as a failure naming file, line
// and field, and left out. A record whose attachment is missing or has
// changed since it was recorded is emitted without its attachments
// attribute and with a gap, so nothing relying on it can pass, and the run
// is partial.
type Collector struct {
	cfg Config
}

// Describe returns the collector's metadata.
func (c *Collector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "manual.evidence", Version: 1, Source: SourceName,
		Title: "Organisational evidence records (YAML) and their attached files",
		ResourceTypes: []collectors.ResourceType{{
			Name: EvidenceType,
			Doc:  "A record of an organisational measure: what was done, when, by whom and for whom.",
			Attributes: []collectors.Attribute{
				{Name: "kind", Type: "string", Doc: "The measure, e.g. security_training or penetration_test."},
				{Name: "title", Type: "string", Doc: "What was done, in a few words."},
				{Name: "performed_at", Type: "timestamp", Doc: "When it was done."},
				{Name: "valid_until", Type: "timestamp", Doc: `End of validity stated by the record, or "" when only the control's max age applies.`},
				{Name: "attested_by", Type: "string", Doc: "Who vouches for the record."},
				{Name: "scope", Type: "string", Doc: `Whom or what the measure covered, e.g. "all employees"; "" when not stated.`},
				{Name: "population", Type: "int", Doc: "How many people or systems the measure is for; 0 when not stated."},
				{Name: "covered", Type: "int", Doc: "How many of them it reached; 0 when not stated."},
				{Name: "attachments", Type: "list", Doc: "Attached files, each a map of file and sha256, all verified at collection."},
				{Name: "open_items", Type: "list", Doc: "What the record lists as still outstanding, e.g. unfixed findings or revoked accounts still present."},
				{Name: "file", Type: "string", Doc: "The record's path in the evidence directory."},
				{Name: "record_sha256", Type: "string", Doc: "SHA-256 of the record file."},
				{Name: "latest", Type: "bool", Doc: "This is the newest record of its kind."},
				{Name: "processing_activities", Type: "int", Doc: "records_of_processing: how many processing activities the records list; 0 when not stated or another kind."},
				{Name: "processing_role", Type: "string", Doc: `records_of_processing: controller, processor or controller_and_processor; "" when not stated or another kind.`},
				{Name: "breaches", Type: "list", Doc: `breach_register: one map per breach with id, discovered_at (RFC 3339), authority (notified, not_required or pending), authority_notified_at (RFC 3339, "" unless notified) and data_subjects (notified, not_required or pending); empty for other kinds.`},
			},
		}},
		Permissions: []string{"read access to the evidence directory"},
	}
}

// Collect reads every record of the evidence directory.
func (c *Collector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	fsys := c.cfg.fsys()
	recs, problems, err := Read(fsys)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("manual: evidence directory %s does not exist (create it, or run attest evidence add): %w", c.cfg.DirOrDefault(), err)
	}
	if err != nil {
		return err
	}
	for _, e := range problems {
		out.Fail(evidence.Failure{Kind: evidence.Errored, Operation: "manual:ReadRecord", Message: e.Error()})
	}
	latest := Latest(recs)
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("manual: read records: %w", err)
		}
		out.Emit(c.resource(ctx, fsys, r, latest[r.Kind] == r.File, out))
	}
	return nil
}

func (c *Collector) resource(ctx context.Context, fsys fs.FS, r *Record, latest bool, out collectors.Sink) evidence.Resource {
	shift := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Add(c.cfg.Shift).UTC().Format(time.RFC3339)
	}
	open := make([]any, 0, len(r.OpenItems))
	for _, o := range r.OpenItems {
		open = append(open, o)
	}
	var activities int
	var role string
	if p := r.Processing; p != nil {
		activities, role = p.Activities, p.Role
	}
	breaches := make([]any, 0, len(r.Breaches))
	for _, b := range r.Breaches {
		breaches = append(breaches, map[string]any{
			"id": b.ID, "discovered_at": shift(b.discovered), "authority": b.Authority,
			"authority_notified_at": shift(b.notified), "data_subjects": b.DataSubjects,
		})
	}
	attrs := map[string]any{
		"kind": r.Kind, "title": r.Title,
		"performed_at": shift(r.performed), "valid_until": shift(r.validUntil),
		"attested_by": r.AttestedBy, "scope": r.Scope.Description,
		"population": r.Scope.Population, "covered": r.Scope.Covered,
		"open_items": open, "file": r.File, "record_sha256": r.SHA256, "latest": latest,
		"processing_activities": activities, "processing_role": role, "breaches": breaches,
	}
	res := evidence.Resource{Type: EvidenceType, ID: r.File, Name: r.Title, Attributes: attrs}
	if data, err := fs.ReadFile(fsys, r.File); err == nil {
		res.Records = appendSum(res.Records, collectors.Record(ctx, evidence.Record{Operation: "manual:ReadRecord", Endpoint: "file:" + r.File, ContentType: "application/yaml"}, data))
	}
	bodies, err := r.Verify(fsys)
	if err != nil {
		for _, e := range unjoin(err) {
			out.Fail(evidence.Failure{Kind: evidence.Errored, Operation: "manual:VerifyAttachment", Resource: r.File, Message: e.Error()})
		}
		res.Gaps = append(res.Gaps, evidence.Gap{Attribute: "attachments", Kind: evidence.Errored, Operation: "manual:VerifyAttachment", Message: err.Error()})
		return res
	}
	atts := make([]any, 0, len(r.Attachments))
	for i, a := range r.Attachments {
		atts = append(atts, map[string]any{"file": a.File, "sha256": a.SHA256})
		res.Records = appendSum(res.Records, collectors.Record(ctx, evidence.Record{Operation: "manual:ReadAttachment", Endpoint: "file:" + a.File}, bodies[i]))
	}
	attrs["attachments"] = atts
	return res
}

func appendSum(sums []string, sum string) []string {
	if sum == "" {
		return sums
	}
	return append(sums, sum)
}

// unjoin splits an errors.Join error into its parts.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	return []error{err}
}
