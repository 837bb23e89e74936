package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/engine"
	"github.com/attestdev/attest/reports/signing"
	"github.com/attestdev/attest/reports/toms"
	"github.com/attestdev/attest/reports/trust"
)

// docFlags are the flags shared by toms, dpa and trust.
type docFlags struct {
	results, company, subprocessors string
	bundle                          string
	controls                        []string
	omitNotInPlace                  bool
	validFor                        string
	signKey, signCert, passwordEnv  string
	tsa                             string
}

func (f *docFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.results, "results", "results.json", "results.json from attest evaluate or check")
	fl.StringVar(&f.bundle, "bundle", "", "evidence bundle the results were evaluated from, for who attested manual evidence records and when (default: bundle/ next to --results, when present)")
	fl.StringVar(&f.company, "company", "", "YAML file with the company data: name, address, contact, dpo, website, certifications, revisions (default: company in attest.yaml)")
	fl.StringVar(&f.subprocessors, "subprocessors", "", "subprocessor register (YAML, may list none; default: subprocessors in attest.yaml)")
	fl.StringSliceVar(&f.controls, "controls", nil, "extra control directories the results were evaluated with (for the measure statements)")
	fl.BoolVar(&f.omitNotInPlace, "omit-not-in-place", false, "leave measures that could not be verified out instead of listing them as not verified")
	fl.StringVar(&f.validFor, "valid-for", "90d", "how long the document is valid after the evidence date (an earlier attestation expiry shortens it)")
	fl.StringVar(&f.signKey, "sign-key", "", "PEM private key, or a PKCS#12 (.p12/.pfx) file, to sign the PDF with; unsigned without it")
	fl.StringVar(&f.signCert, "sign-cert", "", "PEM certificate (then the chain) belonging to --sign-key")
	fl.StringVar(&f.passwordEnv, "sign-password-env", "", "environment variable holding the PKCS#12 password")
	fl.StringVar(&f.tsa, "tsa", "", "RFC 3161 time-stamp authority URL to time-stamp the signature")
}

// docInputs is everything a document is built from, and the signing
// identity.
type docInputs struct {
	*engine.DocInputs
	identity *signing.Identity
}

// load reads results, library, company data, register and signing
// identity.
func (f *docFlags) load(g *globals) (*docInputs, error) {
	if f.signCert != "" && f.signKey == "" {
		return nil, usageError("--sign-cert needs --sign-key")
	}
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, err
	}
	di, err := engine.LoadDocInputs(cfg, engine.DocSources{Results: f.results, Bundle: f.bundle, Company: f.company, Subprocessors: f.subprocessors, Controls: f.controls})
	if err != nil {
		return nil, err
	}
	if di.NoBundle {
		g.log.Info("no evidence bundle next to the results: attested measures based on manual evidence records name the record, not the person", "dir", di.RecordsDir)
	}
	in := &docInputs{DocInputs: di}
	if f.signKey == "" {
		g.log.Warn("no --sign-key: the PDF is not signed")
		return in, nil
	}
	password := ""
	if f.passwordEnv != "" {
		password = os.Getenv(f.passwordEnv)
	}
	if in.identity, err = signing.Load(f.signKey, f.signCert, password); err != nil {
		return nil, err
	}
	return in, nil
}

// document builds the TOMs document in lang.
func (f *docFlags) document(g *globals, in *docInputs, lang string) (*toms.Document, error) {
	validFor, err := controls.ParseDuration(f.validFor)
	if err != nil {
		return nil, usageError("--valid-for: %v", err)
	}
	d, err := in.Document(lang, f.omitNotInPlace, validFor, "attest "+attestVersion())
	if err != nil {
		return nil, err
	}
	for _, w := range d.Warnings {
		g.log.Warn(w, "lang", lang)
	}
	return d, nil
}

// write builds the document in lang from the flags' inputs, renders it
// with render (which also returns the signature's reason), signs and
// timestamps it as configured, and writes it to out.
func (f *docFlags) write(ctx context.Context, g *globals, lang, out string, render func(*toms.Document) (pdf []byte, reason string, err error)) error {
	if err := checkLang(lang); err != nil {
		return err
	}
	in, err := f.load(g)
	if err != nil {
		return err
	}
	d, err := f.document(g, in, lang)
	if err != nil {
		return err
	}
	pdf, reason, err := render(d)
	if err != nil {
		return err
	}
	if pdf, err = f.finish(ctx, in, d, pdf, reason); err != nil {
		return err
	}
	return g.writeDocument(out, pdf, d, in.identity != nil)
}

// finish signs the rendered PDF when an identity is loaded.
func (f *docFlags) finish(ctx context.Context, in *docInputs, d *toms.Document, pdf []byte, reason string) ([]byte, error) {
	if in.identity == nil {
		return pdf, nil
	}
	return toms.Sign(ctx, pdf, in.identity, toms.SignOptions{
		Name:        d.Company.Name,
		Reason:      reason,
		ContactInfo: d.Company.Contact,
		TSAURL:      f.tsa,
	})
}

func checkLang(lang string) error {
	for _, l := range toms.Languages {
		if l == lang {
			return nil
		}
	}
	return usageError("--lang %q: want en or de", lang)
}

func newTOMs(g *globals) *cobra.Command {
	var f docFlags
	var lang, out string
	cmd := &cobra.Command{
		Use:   "toms",
		Short: "Write the signed technical and organisational measures (TOMs) PDF",
		Long: `toms writes the technical and organisational measures under Art. 32 GDPR as a
PDF, in English or German, from results.json: title page, contents, the
measures by Art. 32(1)(a)-(d) and by TOM category, subprocessors,
certifications and revision history. A measure is stated as in place only
when its control passed: verified automatically (on evidence read from the
system itself) on the evidence date, or attested (on manual records: who
attested, when, and until when, read from --bundle). The rest is listed as
not verified, or left out with --omit-not-in-place.

With --sign-key the PDF carries an embedded signature (adbe.pkcs7.detached,
SHA-256) that poppler's pdfsig and attest verify check; --tsa adds an
RFC 3161 signature time-stamp inside it.`,
		Example: `  attest toms --company company.yaml --subprocessors subprocessors.yaml \
    --lang de --out toms-de.pdf --sign-key signer.key --sign-cert signer.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return f.write(cmd.Context(), g, lang, out, func(d *toms.Document) ([]byte, string, error) {
				pdf, err := toms.RenderTOMs(d)
				return pdf, d.Text.Title, err
			})
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&lang, "lang", "en", "language: en or de")
	cmd.Flags().StringVarP(&out, "out", "o", "toms.pdf", "PDF file to write")
	return cmd
}

func newDPA(g *globals) *cobra.Command {
	var f docFlags
	var lang, out, customer string
	cmd := &cobra.Command{
		Use:   "dpa",
		Short: "Write the data processing agreement (Auftragsverarbeitungsvertrag) PDF",
		Long: `dpa writes a data processing agreement under Art. 28 GDPR as a PDF, in English
or German, with the company as processor, the technical and organisational
measures from results.json as Annex 1 and the subprocessor register as
Annex 2. The clauses come from templates/toms/dpa.<lang>.yaml: a starting
point for legal review, not legal advice. Signing works as for attest toms.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return f.write(cmd.Context(), g, lang, out, func(d *toms.Document) ([]byte, string, error) {
				pdf, err := toms.RenderDPA(d, customer)
				return pdf, "DPA", err
			})
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&lang, "lang", "en", "language: en or de")
	cmd.Flags().StringVarP(&out, "out", "o", "dpa.pdf", "PDF file to write")
	cmd.Flags().StringVar(&customer, "customer", "", "the customer (controller); a blank line to fill in when empty")
	return cmd
}

func newTrust(g *globals) *cobra.Command {
	var f docFlags
	var lang, out string
	var opts trust.Options
	cmd := &cobra.Command{
		Use:   "trust",
		Short: "Write the static trust page with the signed TOMs and DPA PDFs",
		Long: `trust writes a static, self-contained site into --out: index.html plus the TOMs
and DPA PDFs in English and German, signed with --sign-key, linked with their
SHA-256 checksums. Publish the directory as it is.

The page opens with a summary (measures in place, last-verified date, valid
until) and the documents; the measures by TOM category and the
subprocessors are collapsed. Each distinct statement is one line, in place
only when every control behind it passed. By default the page lists only
measures in place and names no person (neither who attested a measure nor
the data protection officer): --show-not-verified and --show-names opt in.
It has no scripts and a strict Content-Security-Policy: its one inline
stylesheet is allowed by its SHA-256, nothing else loads.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkLang(lang); err != nil {
				return err
			}
			in, err := f.load(g)
			if err != nil {
				return err
			}
			var sign trust.Signer
			if in.identity != nil {
				sign = func(ctx context.Context, d *toms.Document, pdf []byte, reason string) ([]byte, error) {
					return f.finish(ctx, in, d, pdf, reason)
				}
			}
			page, downloads, err := trust.Site(cmd.Context(), out, lang, func(l string) (*toms.Document, error) { return f.document(g, in, l) }, sign, opts)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(g.stdout, "%s: %s and %d documents, evidence of %s\n", out, trust.IndexFile, len(downloads), page.Date.Format("2006-01-02"))
			return err
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&lang, "lang", "en", "language of the page: en or de")
	cmd.Flags().BoolVar(&opts.ShowNotVerified, "show-not-verified", false, "also list the measures that are not in place, marked as not verified")
	cmd.Flags().BoolVar(&opts.ShowNames, "show-names", false, "name the people who attested measures and the data protection officer")
	cmd.Flags().StringVarP(&out, "out", "o", "site", "directory to write the site into")
	return cmd
}

// writeDocument writes a rendered PDF and prints a one-line summary.
func (g *globals) writeDocument(path string, pdf []byte, d *toms.Document, signed bool) error {
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		return err
	}
	state := "unsigned"
	if signed {
		state = "signed"
	}
	_, err := fmt.Fprintf(g.stdout, "%s: %s, %d measures in place (%d verified, %d attested), %d not verified%s, evidence of %s\n",
		path, state, d.Verified+d.Attested, d.Verified, d.Attested, d.NotVerified, omittedNote(d), d.Date.Format("2006-01-02"))
	return err
}

func omittedNote(d *toms.Document) string {
	if d.Omitted == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d omitted)", d.Omitted)
}
