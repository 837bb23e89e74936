package engine

import (
	"crypto/x509"
	"errors"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/all"
	"github.com/attestdev/attest/collectors/aws"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/tlsprobe"
	"github.com/attestdev/attest/config"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/internal/fake/awsfake"
	"github.com/attestdev/attest/internal/testnet"
)

// library loads only the built-in controls of the given library
// directories (controls/library/<dir>), checked against every resource
// type attest collects.
func library(t *testing.T, dirs ...string) *controls.Library {
	t.Helper()
	opts := LoadOptions(nil)
	opts.NoBuiltin = true
	for _, d := range dirs {
		opts.Dirs = append(opts.Dirs, filepath.Join("..", "controls", "library", d))
	}
	lib, err := controls.Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestPlanPicksOnlyNeededCollectors checks that a plan enables exactly the
// collectors that emit a resource type an enabled control reads.
func TestPlanPicksOnlyNeededCollectors(t *testing.T) {
	t.Parallel()
	tlsOnly := (&Setup{Library: library(t, "tls")}).Plan()
	withAWS := (&Setup{Library: library(t, "tls", "aws")}).Plan()
	if len(tlsOnly.Descriptors(tlsprobe.SourceName)) == 0 {
		t.Fatal("the TLS controls need no TLS collector")
	}
	if ds := tlsOnly.Descriptors("aws"); len(ds) != 0 {
		t.Errorf("TLS controls alone enable %d AWS collectors, e.g. %s", len(ds), ds[0].ID)
	}
	if len(withAWS.Descriptors("aws")) == 0 {
		t.Error("the AWS controls enable no AWS collector")
	}
	if tlsOnly.Enabled("no.such.collector") {
		t.Error("an unregistered collector is enabled")
	}
	need := library(t, "tls").NeededTypes()
	for _, d := range all.Registry().Descriptors() {
		want := false
		for _, rt := range d.ResourceTypes {
			want = want || need[rt.Name]
		}
		if got := tlsOnly.Enabled(d.ID); got != want {
			t.Errorf("%s: enabled %v, want %v", d.ID, got, want)
		}
	}
}

// TestCollectTimeoutKeepsCompletedRuns collects from a TLS endpoint that
// answers and an AWS endpoint that hangs, with a timeout: the collection
// must end soon after it, keep the TLS runs that completed, record every
// AWS run as failed by the timeout, say so, and still be evaluated: the
// TLS control passes, the AWS controls are inconclusive, which fails the
// gate unless inconclusive controls are allowed.
func TestCollectTimeoutKeepsCompletedRuns(t *testing.T) {
	// No t.Parallel: the AWS SDK reads the environment.
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	web := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}))
	// The legacy-protocol probe's handshakes fail on purpose.
	web.Config.ErrorLog = log.New(io.Discard, "", 0)
	web.StartTLS()
	t.Cleanup(web.Close)
	pool := x509.NewCertPool()
	pool.AddCert(web.Certificate())
	src := all.Config{
		TLS: &tlsprobe.Config{Endpoints: []string{web.URL + "/"}, RootCAs: pool},
		AWS: &aws.Config{AWS: awsfake.SDKConfig("http://"+testnet.Hanging(t), &http.Client{}), Regions: []string{"eu-central-1"}},
	}
	s := &Setup{Config: &config.File{Sources: src}, Library: library(t, "tls", "aws"), Version: "test"}
	dir := filepath.Join(t.TempDir(), "bundle")
	collected := false
	start := time.Now()
	watch := func() (func(collectors.Event), *slog.Logger, func()) {
		return nil, discard(), func() { collected = true }
	}
	run, err := s.CollectAndEvaluate(t.Context(), all.Sources(src), CollectOptions{Dir: dir, Timeout: time.Second, Log: discard(), Watch: watch}, EvalInputs{})
	if elapsed := time.Since(start); elapsed > 15*time.Second {
		t.Errorf("collection and evaluation took %s with a 1s timeout", elapsed)
	}
	if err != nil {
		t.Fatalf("an interrupted collection is not evaluated: %v", err)
	}
	if run.Interrupted == nil || !strings.Contains(run.Interrupted.Error(), "--timeout 1s reached") {
		t.Fatalf("interrupted %v, want an error naming the timeout", run.Interrupted)
	}
	b := run.Bundle
	if !collected {
		t.Error("Collected not called")
	}
	if !b.Manifest.Interrupted {
		t.Error("bundle not marked interrupted")
	}
	var tlsRuns, awsRuns int
	for _, r := range b.Manifest.Runs {
		switch r.Target.Source {
		case tlsprobe.SourceName:
			tlsRuns++
			if r.Status != evidence.Complete {
				t.Errorf("TLS run %s: %s, want complete: the probe ran while AWS hung", r.Collector, r.Status)
			}
		case "aws":
			awsRuns++
			if r.Status != evidence.Failed || len(r.Failures) == 0 || r.Failures[0].Kind != evidence.Timeout {
				t.Errorf("AWS run %s: %s %v, want failed by timeout", r.Collector, r.Status, r.Failures)
			}
		}
	}
	if tlsRuns == 0 || awsRuns == 0 {
		t.Fatalf("%d TLS and %d AWS runs: both sources must be recorded", tlsRuns, awsRuns)
	}

	res, gapped := run.Results, run.Bundle
	outcomes := map[string]controls.Outcome{}
	for _, c := range res.Controls {
		outcomes[c.ID] = c.Outcome
	}
	if outcomes["TLS-001"] != controls.Pass {
		t.Errorf("TLS-001: %s, want pass from the run that completed", outcomes["TLS-001"])
	}
	inconclusive := 0
	for id, o := range outcomes {
		if strings.HasPrefix(id, "AWS-") {
			switch o {
			case controls.Inconclusive:
				inconclusive++
			case controls.Pass, controls.Fail:
				t.Errorf("%s: %s from an AWS source that never answered", id, o)
			}
		}
	}
	if inconclusive == 0 || res.Summary.Inconclusive != inconclusive {
		t.Errorf("%d AWS controls inconclusive, summary says %d", inconclusive, res.Summary.Inconclusive)
	}
	if v := Gate(res, gapped, controls.Low, false); v.Pass() {
		t.Error("the gate passes on controls that could not be evaluated")
	}
	if v := Gate(res, gapped, controls.Low, true); !v.Pass() {
		t.Errorf("with inconclusive controls allowed the gate fails: %s", v.Message())
	}
}

// TestCollectNeedsSources checks that Collect refuses to run without a
// source and leaves nothing behind.
func TestCollectNeedsSources(t *testing.T) {
	t.Parallel()
	s := &Setup{Config: &config.File{}, Library: library(t, "tls")}
	dir := filepath.Join(t.TempDir(), "bundle")
	if _, err := s.Collect(t.Context(), nil, CollectOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), "no sources configured") {
		t.Errorf("error %v, want no sources configured", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("bundle directory written without sources: %v", err)
	}
}

// TestPrepareBundleDir checks that a non-empty directory is refused
// without replace and that replace removes only an earlier bundle.
func TestPrepareBundleDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := PrepareBundleDir(filepath.Join(dir, "new"), false); err != nil {
		t.Errorf("absent directory: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := PrepareBundleDir(dir, false); err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Errorf("non-empty directory: %v, want is not empty", err)
	}
}

// TestGateOutcome checks the gate's decision for each outcome and
// severity against fail-on.
func TestGateOutcome(t *testing.T) {
	t.Parallel()
	res := func(sev controls.Severity, o controls.Outcome) *controls.Results {
		return &controls.Results{Controls: []controls.ControlResult{{ID: "X-1", Severity: sev, Outcome: o}}}
	}
	for _, tc := range []struct {
		sev   controls.Severity
		o     controls.Outcome
		allow bool
		pass  bool
	}{
		{controls.High, controls.Fail, false, false},
		{controls.Low, controls.Fail, false, true},
		{controls.High, controls.Inconclusive, false, false},
		{controls.High, controls.Inconclusive, true, true},
		{controls.Critical, controls.Waived, false, true},
		{controls.Critical, controls.ManualOutcome, false, true},
		{controls.Critical, controls.Pass, false, true},
	} {
		if got := Gate(res(tc.sev, tc.o), nil, controls.High, tc.allow).Pass(); got != tc.pass {
			t.Errorf("%s %s (allow inconclusive %v) at fail-on high: pass %v, want %v", tc.sev, tc.o, tc.allow, got, tc.pass)
		}
	}
	old := res(controls.High, controls.Fail)
	if _, v := Drift(old, res(controls.High, controls.Fail), nil, controls.High, false); !v.Pass() {
		t.Errorf("drift gate fails on a failure the baseline had: %s", v.Message())
	}
	if _, v := Drift(res(controls.High, controls.Pass), old, nil, controls.High, false); v.Pass() {
		t.Error("drift gate passes a new high failure")
	}
}

// TestFailOn checks the order flag, then attest.yaml, then high.
func TestFailOn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		flag, cfg string
		want      controls.Severity
	}{
		{"", "", controls.High}, {"", "low", controls.Low}, {"critical", "low", controls.Critical},
	} {
		got, err := FailOn(tc.flag, &config.File{FailOn: tc.cfg})
		if err != nil || got != tc.want {
			t.Errorf("FailOn(%q, fail_on %q) = %s, %v; want %s", tc.flag, tc.cfg, got, err, tc.want)
		}
	}
	if _, err := FailOn("severe", &config.File{}); err == nil {
		t.Error("an unknown severity is accepted")
	}
}

// TestEvalOptions checks how the evaluation inputs become options.
func TestEvalOptions(t *testing.T) {
	t.Parallel()
	s := &Setup{Config: &config.File{WarnExpiring: "14d"}, Library: library(t, "tls"), Version: "v9"}
	o, err := s.EvalOptions(EvalInputs{MaxAge: "7d", AsOf: "2026-03-01T10:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	if o.MaxAge != 7*24*time.Hour || o.ExpiryWarning != 14*24*time.Hour || !o.AsOf.Equal(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)) || o.AttestVersion != "v9" {
		t.Errorf("options %+v", o)
	}
	for in, want := range map[EvalInputs]string{
		{MaxAge: "soon"}:          "--max-age",
		{AsOf: "yesterday"}:       `--as-of "yesterday"`,
		{WarnExpiring: "x"}:       "--warn-expiring",
		{Waivers: "missing.yaml"}: "missing.yaml",
	} {
		if _, err := s.EvalOptions(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: error %v, want one naming %s", in, err, want)
		}
	}
}

// TestPreflight checks that input files are checked before any API call,
// each problem named, all at once.
func TestPreflight(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := &Setup{Config: &config.File{Path: "attest.yaml", Company: filepath.Join(dir, "company.yaml")}, Library: library(t, "tls")}
	err := s.Preflight(Inputs{Waivers: filepath.Join(dir, "w.yaml"), Baseline: filepath.Join(dir, "old.json")})
	if err == nil {
		t.Fatal("missing inputs pass preflight")
	}
	for _, want := range []string{"--waivers " + filepath.Join(dir, "w.yaml"), "company", "--baseline " + filepath.Join(dir, "old.json")} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("preflight error does not name %q:\n%v", want, err)
		}
	}
	if err := (&Setup{Config: &config.File{}, Library: s.Library}).Preflight(Inputs{}); err != nil {
		t.Errorf("no inputs: %v", err)
	}
}

// TestLoadLibrary checks the directory and exclude checks of the loader.
func TestLoadLibrary(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nope")
	if _, err := LoadLibrary(&config.File{}, []string{missing}); err == nil || !strings.Contains(err.Error(), missing+" does not exist") {
		t.Errorf("missing directory: %v", err)
	}
	if _, err := LoadLibrary(&config.File{Path: "attest.yaml", Exclude: []string{"NOPE-1"}}, nil); err == nil || !strings.Contains(err.Error(), `unknown control id "NOPE-1"`) {
		t.Errorf("unknown exclude: %v", err)
	}
	lib, err := LoadLibrary(&config.File{Exclude: []string{"TLS-001"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := lib.Control("TLS-001"); ok || len(lib.Controls) == 0 {
		t.Errorf("TLS-001 not excluded, or nothing loaded (%d controls)", len(lib.Controls))
	}
}

// TestAnchors checks the verification policy: one anchor at most, never
// an anchor with the integrity-only switch, and no pack-only anchor for a
// PDF.
func TestAnchors(t *testing.T) {
	t.Parallel()
	for _, a := range []Anchors{
		{CA: "ca.pem", Ed25519Pub: "k.pub"},
		{CA: "ca.pem", InsecureSkipAnchor: true},
		{Ed25519Pub: "k.pub", InsecureSkipAnchor: true},
	} {
		if err := a.Check(); err == nil {
			t.Errorf("%+v accepted", a)
		}
	}
	if err := (Anchors{InsecureSkipAnchor: true}).Check(); err != nil {
		t.Errorf("integrity only: %v", err)
	}
	if _, err := (Anchors{TSACert: "tsa.pem"}).PDFOptions(""); err == nil {
		t.Error("--tsa-cert accepted for a PDF")
	}
	if _, err := (Anchors{}).PDFOptions("out"); err == nil {
		t.Error("--extract accepted for a PDF")
	}
	o, err := (Anchors{}).PackOptions()
	if err != nil || o.Roots != nil || o.InsecureSkipAnchor {
		t.Errorf("no anchors: %+v, %v: want no roots and no skip, so that verification fails", o, err)
	}
	if !IsPDF("doc.PDF") || IsPDF("pack.zip") {
		t.Error("IsPDF")
	}
}

// TestWaiverRows checks the order and state of listed waivers.
func TestWaiverRows(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	file := filepath.Join(t.TempDir(), "waivers.yaml")
	body := `waivers:
  - {id: W-LATE, control: TLS-001, reason: r, owner: o, approved_by: a, created: 2026-01-01, expires: 2026-12-01}
  - {id: W-GONE, control: TLS-001, reason: r, owner: o, approved_by: a, created: 2026-01-01, expires: 2026-05-01}
  - {id: W-SOON, control: TLS-001, reason: r, owner: o, approved_by: a, created: 2026-01-01, expires: 2026-06-10}
  - {id: W-NEXT, control: TLS-001, reason: r, owner: o, approved_by: a, created: 2026-07-01, expires: 2026-08-01}
`
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	ws, err := controls.LoadWaivers(file, library(t, "tls"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range WaiverRows(ws, now, 0) {
		got = append(got, r.ID+" "+r.State)
	}
	want := []string{"W-GONE expired", "W-SOON active", "W-NEXT not yet active", "W-LATE active"}
	if !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
	got = nil
	for _, r := range WaiverRows(ws, now, 30*24*time.Hour) {
		got = append(got, r.ID)
	}
	if !slices.Equal(got, []string{"W-SOON"}) {
		t.Errorf("expiring within 30d: %q, want W-SOON", got)
	}
}

// userControl is a user's control with one case that passes, one that
// ends otherwise than it says and no failing case (a completeness gap).
const userControl = `id: USER-001
title: HTTPS endpoints refuse TLS 1.0
description: Every endpoint refuses TLS 1.0.
severity: low
owner: platform
frequency: daily
mappings:
  soc2:
    CC6.7: Refusing TLS 1.0 keeps data in transit off a weak protocol.
tom:
  statement:
    en: Each monitored HTTPS endpoint refuses TLS 1.0.
    de: Jeder überwachte HTTPS-Endpunkt lehnt TLS 1.0 ab.
evidence:
  - type: tls.endpoint
    rule: 'r.tls1_0 == "refused"'
    description: Each endpoint refuses TLS 1.0.
remediation: Set the minimum TLS version to 1.2.
tests:
  - name: refused passes
    resources:
      - type: tls.endpoint
        attributes: {tls1_0: refused}
    outcome: pass
  - name: accepted is said to pass but fails
    resources:
      - type: tls.endpoint
        attributes: {tls1_0: accepted}
    outcome: pass
`

// TestControlTests checks which controls are tested and that a user's
// gaps stay warnings even under strict, while a wrong case fails.
func TestControlTests(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "user-001.yaml"), []byte(userControl), 0o600); err != nil {
		t.Fatal(err)
	}
	lib, err := LoadLibrary(&config.File{}, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if ids := TestSelection(lib, true, false); !slices.Equal(ids, []string{"USER-001"}) {
		t.Errorf("with a directory: %q, want USER-001 alone", ids)
	}
	if ids := TestSelection(lib, true, true); len(ids) != len(lib.Controls) {
		t.Errorf("with --builtin: %d controls, want all %d", len(ids), len(lib.Controls))
	}
	ct := TestControls(t.Context(), lib, []string{"USER-001"}, true)
	if len(ct.Cases) != 2 || ct.Failed != 1 {
		t.Errorf("%d cases, %d failed; want 2 and 1", len(ct.Cases), ct.Failed)
	}
	if len(ct.Errors) != 0 || len(ct.Warnings) == 0 || ct.Incomplete != 1 || ct.BuiltinOnly {
		t.Errorf("errors %q, warnings %q, incomplete %d, builtin only %v: a user's gaps are warnings", ct.Errors, ct.Warnings, ct.Incomplete, ct.BuiltinOnly)
	}
	builtin := TestControls(t.Context(), lib, []string{"TLS-001"}, true)
	if builtin.Failed != 0 || !builtin.BuiltinOnly {
		t.Errorf("TLS-001: %d failed, builtin only %v", builtin.Failed, builtin.BuiltinOnly)
	}
}

// TestPackSigner checks that an audit pack is always signed, by one key.
func TestPackSigner(t *testing.T) {
	t.Parallel()
	for f, want := range map[SignerFiles]string{
		{}:                                   "an audit pack is signed",
		{Key: "k.pem", Ed25519Key: "ed.pem"}: "choose one",
		{Ed25519Key: filepath.Join(t.TempDir(), "missing.pem")}: "missing.pem",
	} {
		if _, err := PackSigner(f); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: error %v, want %q", f, err, want)
		}
	}
}

// TestForFramework checks the framework filter of attest controls list.
func TestForFramework(t *testing.T) {
	t.Parallel()
	lib := library(t, "tls", "org")
	all, err := ForFramework(lib, "")
	if err != nil || len(all) != len(lib.Controls) {
		t.Fatalf("no framework: %d controls, %v", len(all), err)
	}
	gdpr, err := ForFramework(lib, "gdpr")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range gdpr {
		if len(c.Mappings.For("gdpr")) == 0 && c.TOM.Category == "" {
			t.Errorf("%s listed for gdpr without a mapping or a TOM category", c.ID)
		}
	}
	for _, c := range lib.Controls {
		if c.TOM.Category != "" && !slices.Contains(gdpr, c) {
			t.Errorf("%s documents a TOM but is not listed for gdpr", c.ID)
		}
	}
	if _, err := ForFramework(lib, "pci"); err == nil {
		t.Error("an unknown framework is accepted")
	}
}

// TestLoadDocInputs checks the required inputs of the documents and the
// bundle next to the results.
func TestLoadDocInputs(t *testing.T) {
	t.Parallel()
	if _, err := LoadDocInputs(&config.File{}, DocSources{Results: "results.json"}); err == nil || !strings.Contains(err.Error(), "no company data") {
		t.Errorf("without company data: %v", err)
	}
	if _, err := LoadDocInputs(&config.File{Company: "c.yaml"}, DocSources{Results: "results.json"}); err == nil || !strings.Contains(err.Error(), "no subprocessor register") {
		t.Errorf("without a register: %v", err)
	}
}

// TestOpenPopulation checks that a bundle without identity accounts is
// an error, never an empty review.
func TestOpenPopulation(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "bundle")
	w, err := evidence.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(evidence.Manifest{AttestVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := OpenPopulation(dir); err == nil || !strings.Contains(err.Error(), "holds no") {
		t.Errorf("empty bundle: %v, want holds no identity resources", err)
	}
}
