package controls

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/attestdev/attest/internal/yamlfile"
)

// Options configure Load.
type Options struct {
	// Dirs are directories of user controls, loaded after the built-in
	// library in order. A control whose id was already loaded replaces the
	// earlier one, so a team can tighten a built-in control.
	Dirs []string
	// NoBuiltin leaves the built-in library out (the framework catalogs are
	// always loaded).
	NoBuiltin bool
	// Types maps every known resource type to its attribute names. Rules
	// over an unknown type, or naming an undeclared attribute, are load
	// errors. When nil, types and attributes are not checked.
	Types map[string][]string
	// AttributeTypes gives, by resource type and attribute, the declared
	// type of an attribute (bool, int, double, string, timestamp, list or
	// map), so that rules are type-checked: `r.tls_version > 1` on a
	// string attribute, or a rule that yields a string, is a load error.
	// An attribute without a type is dyn.
	AttributeTypes map[string]map[string]string
	// CostLimit bounds the CEL cost of one evaluation of a rule or where;
	// zero means DefaultCostLimit.
	CostLimit uint64
}

// A Library is a set of controls with the framework catalogs they map to.
type Library struct {
	Frameworks []*Framework // sorted by id
	Controls   []*Control   // sorted by id
}

// Framework returns the framework with the given id.
func (l *Library) Framework(id string) (*Framework, bool) {
	for _, f := range l.Frameworks {
		if f.ID == id {
			return f, true
		}
	}
	return nil, false
}

// Control returns the control with the given id.
func (l *Library) Control(id string) (*Control, bool) {
	for _, c := range l.Controls {
		if c.ID == id {
			return c, true
		}
	}
	return nil, false
}

// An Error is a problem in a control, catalog or waiver file, with its
// position (file, line and field). It is the one error type of attest's
// YAML loaders.
type Error = yamlfile.Error

// Load reads the framework catalogs, the built-in control library and the
// directories in opts. It returns every problem found, each an *Error,
// joined.
func Load(opts Options) (*Library, error) {
	lib := &Library{}
	var errs []error
	fws, err := fs.Glob(builtin, "frameworks/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("controls: %w", err)
	}
	for _, name := range fws {
		data, _ := builtin.ReadFile(name)
		fw, err := decodeFramework("builtin:"+name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		lib.Frameworks = append(lib.Frameworks, fw)
	}
	slices.SortFunc(lib.Frameworks, func(a, b *Framework) int { return cmp.Compare(a.ID, b.ID) })
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	v, err := newValidator(lib, opts)
	if err != nil {
		return nil, err
	}
	byID := map[string]*Control{}
	add := func(files map[string][]byte) {
		seen := map[string]string{}
		for _, name := range sortedKeys(files) {
			c, err := v.control(name, files[name])
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if prev, ok := seen[c.ID]; ok {
				errs = append(errs, &Error{File: name, Field: "id", Msg: fmt.Sprintf("duplicate control id %q (also in %s)", c.ID, prev)})
				continue
			}
			seen[c.ID] = name
			byID[c.ID] = c
		}
	}
	if !opts.NoBuiltin {
		files, err := readFS(builtin, "library", "builtin:")
		if err != nil {
			return nil, err
		}
		add(files)
	}
	for _, dir := range opts.Dirs {
		files, err := readFS(os.DirFS(dir), ".", filepath.ToSlash(dir)+"/")
		if err != nil {
			return nil, fmt.Errorf("controls: read %s: %w", dir, err)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("controls: %s holds no .yaml control files", dir)
		}
		add(files)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, c := range byID {
		lib.Controls = append(lib.Controls, c)
	}
	slices.SortFunc(lib.Controls, func(a, b *Control) int { return cmp.Compare(a.ID, b.ID) })
	return lib, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// readFS returns the .yaml and .yml files below root, keyed by prefix+path.
func readFS(fsys fs.FS, root, prefix string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files[prefix+path.Clean(p)] = data
		return nil
	})
	return files, err
}

func decodeFramework(file string, data []byte) (*Framework, error) {
	fw := &Framework{}
	doc, err := yamlfile.Decode(file, data, fw)
	if err != nil {
		return nil, err
	}
	var errs []error
	if fw.ID == "" || fw.Name == "" {
		errs = append(errs, doc.Errorf("id", "id and name are required"))
	}
	seen := map[string]bool{}
	for i, r := range fw.Requirements {
		field := fmt.Sprintf("requirements[%d]", i)
		switch {
		case r.ID == "" || r.Title == "":
			errs = append(errs, doc.Errorf(field, "id and title are required"))
		case seen[r.ID]:
			errs = append(errs, doc.Errorf(field+".id", "duplicate requirement id %q", r.ID))
		}
		seen[r.ID] = true
	}
	return fw, errors.Join(errs...)
}
