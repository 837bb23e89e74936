package pack

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/attestdev/attest/collectors/manual"
	"github.com/attestdev/attest/config"
)

// Paths of the evaluation inputs inside a pack. The configuration sits at
// the root, where attest looks for attest.yaml, and names the other inputs
// relative to itself, so that in an extracted pack
//
//	attest evaluate --bundle evidence --out again.json
//
// reproduces results.json.
const (
	ConfigFile        = "attest.yaml"
	WaiversFile       = "config/waivers.yaml"
	CompanyFile       = "config/company.yaml"
	SubprocessorsFile = "config/subprocessors.yaml"
	ManualDir         = "config/manual"
	ControlsDir       = "config/controls"
)

// RedactedURL replaces a URL in the configuration copy that cannot be
// parsed, so its user-info cannot be stripped.
const RedactedURL = "[redacted: unparsable URL]"

// configHeader opens the configuration copy.
const configHeader = `# attest.yaml of this audit pack, rebuilt by attest pack from the fields
# attest knows: comments are not copied, URLs lose user-info, query and
# fragment, and paths point to the copies in this pack. Re-evaluate with
#   attest evaluate --bundle evidence --out again.json
`

// inputs adds the configuration and every file the evaluation read to the
// pack: waivers, company data, subprocessor register, manual evidence
// records with attachments and extra control directories. The
// configuration is rebuilt from the parsed fields, never copied.
func (p *writer) inputs(cfg *config.File, extraControls []string) error {
	if cfg == nil {
		cfg = &config.File{}
	}
	pc := *cfg
	pc.Sources = cfg.Sources
	for _, in := range []struct {
		field *string
		dst   string
	}{{&pc.Waivers, WaiversFile}, {&pc.Company, CompanyFile}, {&pc.Subprocessors, SubprocessorsFile}} {
		if *in.field == "" {
			continue
		}
		if err := p.file(*in.field, in.dst); err != nil {
			return err
		}
		*in.field = in.dst
	}
	pc.Controls = nil
	for i, dir := range append(slices.Clone(cfg.Controls), extraControls...) {
		dst := path.Join(ControlsDir, strconv.Itoa(i+1))
		if err := p.tree(dir, dst); err != nil {
			return err
		}
		pc.Controls = append(pc.Controls, dst)
	}
	if m := cfg.Sources.Manual; m != nil {
		pc.Sources.Manual = nil
		if m.FS == nil {
			if st, err := os.Stat(m.DirOrDefault()); err == nil && st.IsDir() {
				if err := p.tree(m.DirOrDefault(), ManualDir); err != nil {
					return err
				}
				pc.Sources.Manual = &manual.Config{Dir: ManualDir}
			}
		}
	}
	data, err := PortableConfig(&pc)
	if err != nil {
		return err
	}
	p.add(ConfigFile, data)
	return p.err
}

// PortableConfig encodes cfg as YAML from its fields alone, so no comment
// of the original file is kept, and drops the user-info, query and
// fragment of every URL-like value: a token in https://user:TOKEN@host
// never reaches the pack. A value that looks like a URL but does not
// parse is replaced by RedactedURL.
func PortableConfig(cfg *config.File) ([]byte, error) {
	var n yaml.Node
	if err := n.Encode(cfg); err != nil {
		return nil, fmt.Errorf("pack: config: %w", err)
	}
	stripURLs(&n)
	prune(&n)
	var buf bytes.Buffer
	buf.WriteString(configHeader)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return nil, fmt.Errorf("pack: config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("pack: config: %w", err)
	}
	return buf.Bytes(), nil
}

func stripURLs(n *yaml.Node) {
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	if n.Kind == yaml.ScalarNode {
		n.Value = stripURL(n.Value)
	}
	for _, c := range n.Content {
		stripURLs(c)
	}
}

// prune drops mapping entries whose value decodes to the field's zero
// value either way (null, "", false, empty lists and mappings), so the copy
// lists what was configured. Numbers are kept: a pointer field set to 0
// differs from one left unset.
func prune(n *yaml.Node) {
	for _, c := range n.Content {
		prune(c)
	}
	if n.Kind != yaml.MappingNode {
		return
	}
	kept := n.Content[:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		v := n.Content[i+1]
		empty := (v.Kind == yaml.ScalarNode && (v.Tag == "!!null" || (v.Tag == "!!str" && v.Value == "") || (v.Tag == "!!bool" && v.Value == "false"))) ||
			((v.Kind == yaml.SequenceNode || v.Kind == yaml.MappingNode) && len(v.Content) == 0)
		if !empty {
			kept = append(kept, n.Content[i], v)
		}
	}
	n.Content = kept
}

// stripURL returns s without user-info, query and fragment when it is a
// URL (it has a scheme and "://" or an "@" before the host).
func stripURL(s string) string {
	if !strings.Contains(s, "://") && !strings.Contains(s, "@") {
		return s
	}
	if !strings.Contains(s, "://") {
		// An e-mail address or a bare user@host: only a URL can carry a
		// password before the @, and "a:b@c" is not a key-value we know.
		if strings.Contains(s, ":") && strings.Index(s, ":") < strings.LastIndex(s, "@") {
			return RedactedURL
		}
		return s
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return RedactedURL
	}
	if u.User == nil && u.RawQuery == "" && u.Fragment == "" && !u.ForceQuery {
		return s
	}
	u.User, u.RawQuery, u.Fragment, u.ForceQuery = nil, "", "", false
	return u.String()
}

// file copies the regular file at src to dst in the pack.
func (p *writer) file(src, dst string) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("pack: read %s: %w", src, err)
	}
	defer f.Close()
	p.copy(dst, f)
	return p.err
}

// tree copies the regular files under dir to dst in the pack, in sorted
// order; anything but regular files and directories is an error.
func (p *writer) tree(dir, dst string) error {
	var paths []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			paths = append(paths, path)
		} else if !d.IsDir() {
			return fmt.Errorf("%s is not a regular file", path)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pack: read %s: %w", dir, err)
	}
	slices.Sort(paths)
	for _, src := range paths {
		rel, err := filepath.Rel(dir, src)
		if err != nil {
			return fmt.Errorf("pack: read %s: %w", dir, err)
		}
		if err := p.file(src, path.Join(dst, filepath.ToSlash(rel))); err != nil {
			return err
		}
	}
	return nil
}
