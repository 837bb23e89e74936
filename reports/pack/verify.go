package pack

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// VerifyOptions say which signers to trust.
type VerifyOptions struct {
	// Roots, when set, must anchor the CMS signer's certificate chain.
	Roots *x509.CertPool
	// Ed25519Key, when set, must be the key of an Ed25519 signature.
	Ed25519Key ed25519.PublicKey
	// TSARoots, when set, must anchor the time-stamp authority of the
	// pack's RFC 3161 token, and the token must be present.
	TSARoots *x509.CertPool
	// InsecureSkipAnchor accepts a pack whose signer was checked against
	// no trust anchor. Without it, Verify fails unless Roots or Ed25519Key
	// is set: a signature checked only against the key inside the pack
	// proves nothing, since whoever changed the pack can re-sign it.
	InsecureSkipAnchor bool
}

// ErrNoAnchor is returned (wrapped) when a pack's signature is valid but
// was checked against no trust anchor and InsecureSkipAnchor is not set.
var ErrNoAnchor = errors.New("no trust anchor: the signature was checked only against the certificate or key inside the pack, which anyone who changes the pack can replace; pass the signer's CA (--ca) or public key (--ed25519-pub)")

// A Report says what Verify checked.
type Report struct {
	Files int
	// Kind is "cms" or "ed25519".
	Kind string
	// Signer is the CMS signer's subject or the Ed25519 key in base64.
	Signer string
	// SignerFingerprint is the SHA-256 of the signer's certificate (DER)
	// or, for Ed25519, of its public key (PKIX DER), as colon-separated
	// hex like openssl x509 -fingerprint -sha256 prints it. It is set
	// whenever the signature could be read, even when Verify fails.
	SignerFingerprint string
	// Trusted reports whether the signer was checked against a trust
	// anchor the caller gave (Roots or Ed25519Key). An untrusted signature
	// proves only that the manifest was not changed after someone signed
	// it.
	Trusted  bool
	Manifest Manifest
	// Timestamped is set when the pack carries an RFC 3161 token over the
	// manifest; TimestampedAt is its time, and TimestampTrusted whether its
	// authority was checked against TSARoots.
	Timestamped      bool
	TimestampedAt    time.Time
	TimestampTrusted bool
	// TimestampAuthority is the subject of the certificate that signed the
	// token, and TimestampAuthorityFingerprint its SHA-256; both are empty
	// when the token carries no certificate.
	TimestampAuthority            string
	TimestampAuthorityFingerprint string
}

// maxManifest bounds the manifest read into memory.
const maxManifest = 64 << 20

// Verify checks the pack at zipPath: every entry name is safe, the
// signature over the manifest is valid, every listed file is present with
// its hash and size, and no other file is present. It reports every
// problem it finds. Unless o.InsecureSkipAnchor is set, a signer not
// checked against o.Roots or o.Ed25519Key fails with ErrNoAnchor.
//
// The returned report is non-nil whenever the signature could be read,
// even with an error, so that a caller can show who signed a pack that
// does not verify.
func Verify(zipPath string, o VerifyOptions) (*Report, error) {
	zr, err := zip.OpenReader(zipPath)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("pack: open %s: %w", zipPath, err)
	}
	defer zr.Close()
	entries, err := fileEntries(zr.File)
	if err != nil {
		return nil, err
	}
	manifestData, err := readEntry(entries, ManifestFile, maxManifest)
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	if err := verifySignature(entries, manifestData, o, rep); err != nil {
		if rep.Kind == "" {
			return nil, err
		}
		return rep, err
	}
	if err := json.Unmarshal(manifestData, &rep.Manifest); err != nil {
		return nil, fmt.Errorf("pack: %s: %w", ManifestFile, err)
	}
	if rep.Manifest.Format != Format {
		return nil, fmt.Errorf("pack: %s: format %q, want %q", ManifestFile, rep.Manifest.Format, Format)
	}
	listed := map[string]bool{ManifestFile: true}
	if err := checkTimestamp(entries, manifestData, o.TSARoots, rep); err != nil {
		// The signature was read: the report says who signed.
		return rep, err
	}
	listed[TimestampFile] = rep.Timestamped
	var errs []error
	switch rep.Kind {
	case "cms":
		listed[CMSFile] = true
	case "ed25519":
		listed[Ed25519SigFile], listed[Ed25519PubFile] = true, true
	}
	for _, fe := range rep.Manifest.Files {
		if listed[fe.Path] {
			errs = append(errs, fmt.Errorf("pack: %s is listed twice or names a signature file", fe.Path))
			continue
		}
		listed[fe.Path] = true
		if err := checkFile(entries[fe.Path], fe); err != nil {
			errs = append(errs, err)
		}
	}
	for _, name := range sortedNames(entries) {
		if !listed[name] {
			errs = append(errs, fmt.Errorf("pack: %s is not in the manifest (added after signing?)", name))
		}
	}
	rep.Files = len(rep.Manifest.Files)
	if len(errs) > 0 {
		return rep, errors.Join(errs...)
	}
	if !rep.Trusted && !o.InsecureSkipAnchor {
		return rep, fmt.Errorf("pack: %w", ErrNoAnchor)
	}
	return rep, nil
}

// checkTimestamp verifies the pack's time-stamp token over the manifest,
// when there is one, and requires one when tsaRoots is set.
func checkTimestamp(entries map[string]*zip.File, manifest []byte, tsaRoots *x509.CertPool, rep *Report) error {
	if _, ok := entries[TimestampFile]; !ok {
		if tsaRoots != nil {
			return fmt.Errorf("pack: no time-stamp token (%s), but a time-stamp authority to check was given", TimestampFile)
		}
		return nil
	}
	data, err := readEntry(entries, TimestampFile, maxTimestampReply)
	if err != nil {
		return err
	}
	if err = verifyTimestamp(data, manifest, tsaRoots, rep); err != nil {
		return err
	}
	rep.Timestamped = true
	return nil
}

// fileEntries checks the names of the pack's entries and returns its files
// by name. Directory entries, which stock tools (zip -r, Explorer) add one
// per directory, must hold nothing; a name may not appear twice or be both
// a file and a directory.
func fileEntries(files []*zip.File) (map[string]*zip.File, error) {
	entries := map[string]*zip.File{}
	var errs []error
	dirs := map[string]bool{}
	for _, f := range files {
		if err := checkName(f.Name); err != nil {
			errs = append(errs, err)
			continue
		}
		if isDir(f) {
			// A directory entry holds nothing, so the manifest need not
			// list it.
			if f.UncompressedSize64 != 0 || f.CompressedSize64 > 2 {
				errs = append(errs, fmt.Errorf("pack: directory entry %q holds data", f.Name))
			}
			dirs[strings.TrimSuffix(f.Name, "/")] = true
			continue
		}
		if _, dup := entries[f.Name]; dup {
			errs = append(errs, fmt.Errorf("pack: %s appears twice", f.Name))
			continue
		}
		entries[f.Name] = f
	}
	for name := range entries {
		if dirs[name] {
			errs = append(errs, fmt.Errorf("pack: %s is both a file and a directory", name))
		}
	}
	return entries, errors.Join(errs...)
}

// isDir reports whether f is a directory entry: its name ends in a slash.
func isDir(f *zip.File) bool { return strings.HasSuffix(f.Name, "/") }

// Fingerprint returns the SHA-256 of der as colon-separated upper-case
// hex, the form openssl x509 -noout -fingerprint -sha256 prints.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func verifySignature(entries map[string]*zip.File, manifest []byte, o VerifyOptions, rep *Report) error {
	_, hasCMS := entries[CMSFile]
	_, hasEd := entries[Ed25519SigFile]
	switch {
	case hasCMS && hasEd:
		return fmt.Errorf("pack: both %s and %s present: a pack has one signature", CMSFile, Ed25519SigFile)
	case hasCMS:
		if o.Ed25519Key != nil {
			return fmt.Errorf("pack: an Ed25519 key was given, but the pack has a CMS signature")
		}
		sig, err := readEntry(entries, CMSFile, maxManifest)
		if err != nil {
			return err
		}
		if err := verifyCMS(sig, manifest, o.Roots, rep); err != nil {
			return err
		}
		rep.Trusted = o.Roots != nil
		return nil
	case hasEd:
		if o.Roots != nil {
			return fmt.Errorf("pack: a CA was given, but the pack has an Ed25519 signature")
		}
		sigB64, err := readEntry(entries, Ed25519SigFile, 1<<10)
		if err != nil {
			return err
		}
		sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(sigB64)))
		if err != nil {
			return fmt.Errorf("pack: %s: %w", Ed25519SigFile, err)
		}
		key := o.Ed25519Key
		if key == nil {
			pubPEM, err := readEntry(entries, Ed25519PubFile, 1<<10)
			if err != nil {
				return err
			}
			if key, err = ParseEd25519PublicKey(pubPEM); err != nil {
				return err
			}
		}
		rep.Kind, rep.Signer = "ed25519", base64.StdEncoding.EncodeToString(key)
		if der, err := x509.MarshalPKIXPublicKey(key); err == nil {
			rep.SignerFingerprint = Fingerprint(der)
		}
		if !ed25519.Verify(key, manifest, sig) {
			return fmt.Errorf("pack: %s: the Ed25519 signature does not match the manifest and key", Ed25519SigFile)
		}
		rep.Trusted = o.Ed25519Key != nil
		return nil
	}
	return fmt.Errorf("pack: no signature (%s or %s)", CMSFile, Ed25519SigFile)
}

// checkName rejects entry names that could escape an extraction
// directory or mean different files on different systems.
func checkName(name string) error {
	switch {
	case name == "" || strings.ContainsRune(name, 0):
		return fmt.Errorf("pack: entry with an empty or NUL name")
	case strings.Contains(name, `\`):
		return fmt.Errorf("pack: entry %q contains a backslash: zip entry names separate directories with /, and Windows tools would read the backslash as a separator", name)
	case strings.HasPrefix(name, "/") || filepath.IsAbs(name) || (len(name) > 1 && name[1] == ':'):
		return fmt.Errorf("pack: entry %q has an absolute path", name)
	case slices.Contains(strings.Split(name, "/"), ".."):
		return fmt.Errorf("pack: entry %q leaves the pack through a .. element", name)
	}
	// A directory entry (zip -r adds one per directory) ends in one slash.
	clean := strings.TrimSuffix(name, "/")
	if clean == "" || path.Clean(clean) != clean || clean == "." {
		return fmt.Errorf("pack: entry %q is not a clean path", name)
	}
	return nil
}

func readEntry(entries map[string]*zip.File, name string, limit int64) ([]byte, error) {
	f, ok := entries[name]
	if !ok {
		return nil, fmt.Errorf("pack: %s is missing", name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("pack: open %s: %w", name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("pack: read %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("pack: %s is larger than %d bytes", name, limit)
	}
	return data, nil
}

func checkFile(f *zip.File, fe FileEntry) error {
	if f == nil {
		return fmt.Errorf("pack: %s is listed in the manifest but missing", fe.Path)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("pack: open %s: %w", fe.Path, err)
	}
	defer rc.Close()
	h := sha256.New()
	// Read one byte more than listed, so a longer file cannot hide.
	n, err := io.Copy(h, io.LimitReader(rc, fe.Size+1))
	if err != nil {
		return fmt.Errorf("pack: read %s: %w", fe.Path, err)
	}
	if n != fe.Size || sum(h) != fe.SHA256 {
		return fmt.Errorf("pack: %s was changed: its SHA-256 or size does not match the manifest", fe.Path)
	}
	return nil
}

func sortedNames(m map[string]*zip.File) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Extract verifies the pack and writes its files under dir, which must
// not exist or be empty. Files are created through an os.Root, so no entry
// can write outside dir even past the name checks.
func Extract(zipPath, dir string, o VerifyOptions) (*Report, error) {
	rep, err := Verify(zipPath, o)
	if err != nil {
		return rep, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("pack: extract: %w", err)
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) > 0 {
		return nil, fmt.Errorf("pack: extract: %s must be an empty directory", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("pack: extract: %w", err)
	}
	defer root.Close()
	zr, err := zip.OpenReader(zipPath)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("pack: extract: %w", err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if err := extractOne(root, f); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func extractOne(root *os.Root, f *zip.File) error {
	if err := checkName(f.Name); err != nil {
		return err
	}
	if isDir(f) {
		if err := root.MkdirAll(strings.TrimSuffix(f.Name, "/"), 0o750); err != nil {
			return fmt.Errorf("pack: extract %s: %w", f.Name, err)
		}
		return nil
	}
	if d := path.Dir(f.Name); d != "." {
		if err := root.MkdirAll(d, 0o750); err != nil {
			return fmt.Errorf("pack: extract %s: %w", f.Name, err)
		}
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("pack: extract %s: %w", f.Name, err)
	}
	defer rc.Close()
	out, err := root.OpenFile(f.Name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("pack: extract %s: %w", f.Name, err)
	}
	if _, err := io.Copy(out, rc); err != nil {
		out.Close()
		return fmt.Errorf("pack: extract %s: %w", f.Name, err)
	}
	return out.Close()
}

// LoadRoots reads a PEM file of trusted CA certificates.
func LoadRoots(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pack: read CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(bytes.TrimSpace(data)) {
		return nil, fmt.Errorf("pack: %s holds no PEM certificate", path)
	}
	return pool, nil
}
