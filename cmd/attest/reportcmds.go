package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/engine"
	"github.com/attestdev/attest/gate"
	"github.com/attestdev/attest/reports"
	"github.com/attestdev/attest/reports/diff"
	"github.com/attestdev/attest/reports/pack"
	"github.com/attestdev/attest/reports/pdfverify"
	"github.com/attestdev/attest/reports/sanitize"
)

func newReport(g *globals) *cobra.Command {
	var results, bundle, format, out string
	var opts reports.Options
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Render results.json as HTML, Markdown, JSON, CSV, JUnit, SARIF or OSCAL",
		Long: `Report renders a results file offline. With --bundle, the HTML and OSCAL
reports show each evidence item's API operation and collection time next to
its SHA-256. The output depends only on the inputs, so re-rendering from an
audit pack gives the same bytes. Formats: ` + strings.Join(reports.Formats, ", ") + `.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			res, err := controls.ReadResults(results)
			if err != nil {
				return err
			}
			if !slices.Contains(reports.Formats, format) {
				return usageError("--format %q: want one of %s", format, strings.Join(reports.Formats, ", "))
			}
			var b *evidence.Bundle
			if bundle != "" {
				// Reports read only the records of a bundle.
				if b, err = evidence.OpenRecords(bundle); err != nil {
					return err
				}
			}
			return writeOutput(g, out, func(w io.Writer) error { return reports.RenderWith(w, format, res, b, opts) })
		},
	}
	cmd.Flags().IntVar(&opts.HTML.MaxFindings, "html-max-findings", reports.DefaultHTMLMaxFindings,
		"resources that did not pass listed per control in the HTML report (the rest are counted; the CSV and JSON list all; -1 lists none)")
	cmd.Flags().StringVarP(&results, "results", "r", "results.json", "results file to render")
	cmd.Flags().StringVarP(&bundle, "bundle", "b", "", "evidence bundle the results came from (adds operation and time to evidence items)")
	cmd.Flags().StringVarP(&format, "format", "f", "html", "output format: "+strings.Join(reports.Formats, ", "))
	cmd.Flags().StringVarP(&out, "out", "o", "", "file to write (default stdout)")
	return cmd
}

// writeOutput writes to path, or to stdout when path is empty. A file is
// written in full or not at all.
func writeOutput(g *globals, path string, render func(io.Writer) error) error {
	if path == "" {
		return render(g.stdout)
	}
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o640); err != nil {
		return err
	}
	g.log.Info("written", "file", path)
	return nil
}

func newDiff(g *globals) *cobra.Command {
	var format, failOn string
	var allowInconclusive bool
	cmd := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "Show control drift between two results files; exit 1 on new failures at or above --fail-on",
		Long: `Diff compares two results files: controls that newly fail, controls that were
fixed, controls that became inconclusive, resources that newly fail under an
already failing control, and resources that appeared or vanished (by control
and resource id). It exits 1 when a control or resource newly fails at or
above --fail-on, or a control there became inconclusive (unless
--allow-inconclusive).`,
		Args: cobra.ExactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			sev, err := engine.FailOn(failOn, cfg)
			if err != nil {
				return fmt.Errorf("--fail-on: %w", err)
			}
			if !slices.Contains(diff.Formats, format) {
				return usageError("--format %q: want one of %s", format, strings.Join(diff.Formats, ", "))
			}
			old, err := controls.ReadResults(args[0])
			if err != nil {
				return err
			}
			cur, err := controls.ReadResults(args[1])
			if err != nil {
				return err
			}
			d, v := engine.Drift(old, cur, nil, sev, allowInconclusive)
			return g.writeDrift(g.stdout, format, d, v)
		},
	}
	cmd.Flags().BoolVar(&allowInconclusive, "allow-inconclusive", false, "do not fail on controls that became inconclusive (they are still reported on stderr)")
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output format: "+strings.Join(diff.Formats, ", "))
	cmd.Flags().StringVar(&failOn, "fail-on", "", `lowest severity of a regression that exits 1: low, medium, high or critical (default from config, else "high")`)
	return cmd
}

// writeDrift writes the drift d and returns the exit error of v.
func (g *globals) writeDrift(w io.Writer, format string, d *diff.Drift, v *gate.Verdict) error {
	if err := diff.Write(w, format, d); err != nil {
		return err
	}
	return g.verdict(v)
}

// afterCheck runs what check does after evaluation: it writes the
// requested reports beside results.json, reads --baseline and returns the
// exit error of engine.CheckGate, printing the drift when there is one.
func (g *globals) afterCheck(res *controls.Results, b *evidence.Bundle, f checkFlags, failOn controls.Severity) error {
	for _, format := range f.reports {
		path := filepath.Join(f.outDir, "report"+reports.Extension(format))
		if err := writeOutput(g, path, func(w io.Writer) error { return reports.Render(w, format, res, b) }); err != nil {
			return err
		}
	}
	var old *controls.Results
	if f.baseline != "" {
		var err error
		if old, err = controls.ReadResults(f.baseline); err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
	}
	d, v := engine.CheckGate(old, res, b, failOn, f.allowInconclusive)
	if d == nil {
		return g.verdict(v)
	}
	w := g.stdout
	if f.format == "json" {
		// stdout holds the results JSON; the drift goes with the logs.
		w = g.stderr
	}
	if _, err := fmt.Fprintln(w); err != nil {
		return err
	}
	return g.writeDrift(w, "table", d, v)
}

// reportFlagUsage documents check's --report flag.
var reportFlagUsage = "also write these report formats to the out dir as report.EXT (comma-separated: " + strings.Join(reports.Formats, ", ") + ")"

// reportFormats is the value of check's --report flag: report formats,
// checked when the flag is parsed so a typo fails before collection.
type reportFormats []string

func (r *reportFormats) String() string { return strings.Join(*r, ",") }

func (r *reportFormats) Type() string { return "formats" }

func (r *reportFormats) Set(v string) error {
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains(reports.Formats, f) {
			return fmt.Errorf("%q: want one of %s", f, strings.Join(reports.Formats, ", "))
		}
		if !slices.Contains(*r, f) {
			*r = append(*r, f)
		}
	}
	return nil
}

func newPack(g *globals) *cobra.Command {
	var results, bundle, out, key, cert, passwordEnv, edKey, tsa string
	var dirs []string
	cmd := &cobra.Command{
		Use:   "pack",
		Short: "Write a signed audit pack: evidence, results, reports, controls and config, hashed and signed",
		Long: `Pack bundles the raw evidence, results.json, every report format, the
definitions of the evaluated controls, the tool version and everything the
evaluation read into one zip with a manifest of SHA-256 hashes and a
detached signature over the manifest: attest.yaml rebuilt from its known
fields (no comments; URLs without user-info, query or fragment), the
waivers, company data, subprocessor register, manual evidence records with
their attachments and extra control directories. In an extracted pack,
attest evaluate --bundle evidence reproduces results.json, and attest report
every report, byte for byte.

Sign with an X.509 identity (--key and --cert as PEM, or --key as a .p12/.pfx
with its password in the environment variable --key-password-env) for a CMS
signature that stock tools check:

  unzip pack.zip manifest.json manifest.sig
  openssl cms -verify -binary -inform PEM -in manifest.sig -content manifest.json -CAfile ca.pem -purpose any

or with an Ed25519 key (openssl genpkey -algorithm ed25519 -out key.pem) via
--ed25519-key. attest verify pack.zip --ca ca.pem (or --ed25519-pub key.pub)
checks every hash and the signature against the signer you trust.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			signer, err := engine.PackSigner(engine.SignerFiles{Key: key, Cert: cert, Password: os.Getenv(passwordEnv), Ed25519Key: edKey})
			if err != nil {
				return err
			}
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			res, err := controls.ReadResults(results)
			if err != nil {
				return err
			}
			s, err := engine.NewSetup(cfg, dirs, attestVersion())
			if err != nil {
				return err
			}
			used, err := s.PackControls(res, results)
			if err != nil {
				return err
			}
			o := pack.Options{
				Results: res, BundleDir: bundle, Controls: used, Config: cfg, ControlDirs: dirs,
				AttestVersion: attestVersion(), Signer: signer,
			}
			if err := s.CheckReproducible(cmd.Context(), res, bundle); err != nil {
				g.log.Warn("the pack's inputs do not reproduce the results: an auditor re-evaluating the pack will see other results", "err", err)
			}
			if tsa != "" {
				o.Timestamp = func(manifest []byte) ([]byte, error) {
					return pack.RequestTimestamp(cmd.Context(), &http.Client{Timeout: 30 * time.Second}, tsa, manifest)
				}
			}
			return writeFileAtomic(out, func(w io.Writer) error { return pack.Write(w, o) }, g)
		},
	}
	cmd.Flags().StringVarP(&results, "results", "r", "results.json", "results file")
	cmd.Flags().StringVarP(&bundle, "bundle", "b", "bundle", "evidence bundle directory the results came from")
	cmd.Flags().StringVarP(&out, "out", "o", "pack.zip", "pack file to write")
	cmd.Flags().StringVar(&key, "key", "", "X.509 signing key: PEM private key, or a PKCS#12 (.p12/.pfx) file")
	cmd.Flags().StringVar(&cert, "cert", "", "PEM certificate (and chain) of a PEM --key")
	cmd.Flags().StringVar(&passwordEnv, "key-password-env", "ATTEST_KEY_PASSWORD", "environment variable holding the PKCS#12 password")
	cmd.Flags().StringVar(&tsa, "tsa", "", "RFC 3161 time-stamp authority URL: adds a trusted time-stamp over the signed manifest (manifest.tsr)")
	cmd.Flags().StringVar(&edKey, "ed25519-key", "", "sign with this PEM Ed25519 private key instead of an X.509 identity")
	cmd.Flags().StringSliceVar(&dirs, "controls", nil, "extra control directories (repeatable)")
	return cmd
}

// writeFileAtomic writes path through a temporary file in the same
// directory, so a failed write leaves no partial pack.
func writeFileAtomic(path string, write func(io.Writer) error, g *globals) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".attest-pack-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	g.log.Info("written", "file", path)
	return nil
}

func newVerify(g *globals) *cobra.Command {
	var ca, edPub, extract, tsaCert string
	var skipAnchor bool
	cmd := &cobra.Command{
		Use:   "verify FILE",
		Short: "Verify an audit pack (.zip) or a signed PDF against the signer's CA or key",
		Long: `Verify checks an audit pack: every entry name is safe (no absolute paths,
backslashes or ..; directory entries that zip tools add are accepted), the
signature over manifest.json is valid, and every file listed in the manifest
is present with its SHA-256 and size, with no file added. Any changed, added
or removed file fails.

A signature proves who signed only when it is checked against a trust anchor
the verifier holds: --ca (the signer's CA certificates, PEM) or
--ed25519-pub (the signer's public key). Without one, verify exits 1, since
whoever changes a pack can re-sign it with a certificate that copies the
company's name; --insecure-skip-anchor checks integrity alone. The signer's
subject and the SHA-256 fingerprint of its certificate or key are always
printed, to compare with the one the company publishes. --tsa-cert requires
an RFC 3161 time-stamp by that authority; a time-stamp is always reported
with its time and authority. --extract DIR writes the verified files to an
empty directory.

For a .pdf, verify checks the document's digital signatures, that nothing
was changed or appended after signing, and that each signer chains to --ca
(or, with --insecure-skip-anchor, reports the signer without that check).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := args[0]
			anchors := engine.Anchors{CA: ca, Ed25519Pub: edPub, TSACert: tsaCert, InsecureSkipAnchor: skipAnchor}
			if err := anchors.Check(); err != nil {
				return err
			}
			if engine.IsPDF(path) {
				o, err := anchors.PDFOptions(extract)
				if err != nil {
					return err
				}
				if err := pdfverify.VerifyAnchored(cmd.Context(), path, g.stdout, o); err != nil {
					return &exitError{code: 1, msg: fmt.Sprintf("attest: %s does NOT verify: %v", path, err)}
				}
				return nil
			}
			o, err := anchors.PackOptions()
			if err != nil {
				return err
			}
			return g.verifyPack(path, extract, o)
		},
	}
	cmd.Flags().StringVar(&ca, "ca", "", "PEM CA certificates that must anchor the signer (CMS pack or PDF)")
	cmd.Flags().StringVar(&edPub, "ed25519-pub", "", "PEM Ed25519 public key that must have signed the pack")
	cmd.Flags().BoolVar(&skipAnchor, "insecure-skip-anchor", false, "check integrity only: accept a signer not checked against --ca or --ed25519-pub (proves nothing about who signed)")
	cmd.Flags().StringVar(&extract, "extract", "", "after verifying, extract the pack into this empty directory")
	cmd.Flags().StringVar(&tsaCert, "tsa-cert", "", "PEM certificate(s) of the time-stamp authority: the pack must carry a time-stamp it issued")
	return cmd
}

// verifyPack verifies (and, with extract, extracts) the pack at path and
// prints the signer; a pack that does not verify exits 1.
func (g *globals) verifyPack(path, extract string, o pack.VerifyOptions) error {
	var rep *pack.Report
	var err error
	if extract != "" {
		rep, err = pack.Extract(path, extract, o)
	} else {
		rep, err = pack.Verify(path, o)
	}
	if err != nil {
		if rep != nil && rep.Kind != "" {
			if perr := printSigner(g.stdout, path+": does NOT verify", rep); perr != nil {
				return perr
			}
		}
		return &exitError{code: 1, msg: fmt.Sprintf("attest: %s does NOT verify:\n%v", path, err)}
	}
	return printSigner(g.stdout, path+": OK", rep)
}

// printSigner writes what verify found about a pack: the files, the
// signer with its fingerprint, whether it was anchored, the time-stamp.
func printSigner(w io.Writer, head string, rep *pack.Report) error {
	var b strings.Builder
	fmt.Fprintln(&b, head)
	if rep.Files > 0 {
		fmt.Fprintf(&b, "  %d files match manifest.json (created %s by attest %s)\n",
			rep.Files, rep.Manifest.CreatedAt.UTC().Format("2006-01-02 15:04:05 UTC"), sanitize.Terminal(rep.Manifest.AttestVersion))
	}
	fp := "certificate"
	if rep.Kind == "ed25519" {
		fp = "public key"
	}
	fmt.Fprintf(&b, "  %s signature by %s\n  signer %s SHA-256 %s\n", rep.Kind, sanitize.Terminal(rep.Signer), fp, rep.SignerFingerprint)
	switch {
	case rep.Trusted && rep.Kind == "ed25519":
		fmt.Fprintln(&b, "  signer trusted: the signature matches the given key")
	case rep.Trusted:
		fmt.Fprintln(&b, "  signer trusted: the signer chains to the given CA")
	default:
		fmt.Fprintln(&b, "  signer NOT checked against a trust anchor: compare the fingerprint above with the one the company publishes, or pass --ca or --ed25519-pub")
	}
	if rep.Timestamped {
		authority := "an authority that included no certificate"
		if rep.TimestampAuthority != "" {
			authority = fmt.Sprintf("%s (certificate SHA-256 %s)", sanitize.Terminal(rep.TimestampAuthority), rep.TimestampAuthorityFingerprint)
		}
		trust := "authority trusted: it chains to --tsa-cert"
		if !rep.TimestampTrusted {
			trust = "authority NOT checked: pass --tsa-cert to check who time-stamped"
		}
		fmt.Fprintf(&b, "  time-stamped %s (RFC 3161) by %s\n  %s\n", rep.TimestampedAt.UTC().Format(time.RFC3339), authority, trust)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
