package manual

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// An Attach is a file to copy into the evidence directory with a new
// record: either a local file (Path) or generated content (Data, named
// Name).
type Attach struct {
	Path string
	Name string
	Data []byte
}

// Add writes r as a new record file in dir and copies the attachments to
// files/<record name>/, filling in r.Attachments with their SHA-256. The
// record is named <kind>-<date>.yaml, with a number added when that name
// is taken; an existing record is never overwritten. Either everything is
// written or, on error, nothing is left behind. It returns the record's
// path relative to dir.
func Add(dir string, r Record, attach []Attach) (string, error) {
	r.Attachments = nil
	for _, a := range attach {
		name := attachName(a)
		if name == "" || name == "." || strings.ContainsAny(name, `/\`) {
			return "", fmt.Errorf("manual: attachment %q: needs a file name", a.Path)
		}
		r.Attachments = append(r.Attachments, Attachment{File: "files/x/" + name, SHA256: strings.Repeat("0", 64)})
	}
	// Validate before touching the directory, with placeholder hashes.
	data, err := encode(&r)
	if err != nil {
		return "", err
	}
	if _, err := Parse("new record", data); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Join(dir, FilesDir), 0o750); err != nil {
		return "", fmt.Errorf("manual: create evidence directory: %w", err)
	}
	date := r.PerformedAt
	if len(date) > 10 {
		date = date[:10]
	}
	base := r.Kind + "-" + date
	for n := 1; ; n++ {
		name := base
		if n > 1 {
			name = fmt.Sprintf("%s-%d", base, n)
		}
		file := name + ".yaml"
		if _, err := os.Lstat(filepath.Join(dir, file)); err == nil {
			continue
		}
		filesDir := filepath.Join(dir, FilesDir, name)
		if len(attach) > 0 {
			if err := os.Mkdir(filesDir, 0o750); errors.Is(err, fs.ErrExist) {
				continue
			} else if err != nil {
				return "", fmt.Errorf("manual: create attachment directory: %w", err)
			}
		}
		if err := write(dir, file, name, r, attach); err != nil {
			if len(attach) > 0 {
				_ = os.RemoveAll(filesDir)
			}
			return "", err
		}
		return file, nil
	}
}

func attachName(a Attach) string {
	if a.Name != "" {
		return a.Name
	}
	return filepath.Base(a.Path)
}

// write copies the attachments into files/<name>/ and then writes the record
// without replacing an existing file.
func write(dir, file, name string, r Record, attach []Attach) error {
	r.Attachments = nil
	for _, a := range attach {
		data := a.Data
		if a.Path != "" {
			var err error
			if data, err = os.ReadFile(a.Path); err != nil {
				return fmt.Errorf("manual: attachment: %w", err)
			}
		}
		rel := path.Join(FilesDir, name, attachName(a))
		if err := writeNew(filepath.Join(dir, filepath.FromSlash(rel)), data); err != nil {
			return fmt.Errorf("manual: attachment %s: %w", rel, err)
		}
		sum := sha256.Sum256(data)
		r.Attachments = append(r.Attachments, Attachment{File: rel, SHA256: hex.EncodeToString(sum[:])})
	}
	data, err := encode(&r)
	if err != nil {
		return err
	}
	if err := writeNew(filepath.Join(dir, file), data); err != nil {
		return fmt.Errorf("manual: record %s: %w", file, err)
	}
	return nil
}

func encode(r *Record) ([]byte, error) {
	data, err := yaml.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("manual: encode record: %w", err)
	}
	return append([]byte("# Organisational evidence recorded with attest. Do not edit attached files:\n# their SHA-256 is checked at every collection.\n"), data...), nil
}

// writeNew writes data to a temporary file beside p and links it into
// place, so p appears complete or not at all and is never replaced.
func writeNew(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Link(tmp.Name(), p)
}
