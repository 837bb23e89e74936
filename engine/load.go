package engine

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/attestdev/attest/collectors/all"
	"github.com/attestdev/attest/config"
	"github.com/attestdev/attest/controls"
)

// A Setup is what every phase runs with: the configuration, the control
// library it selects and the attest version written into bundles and
// results.
type Setup struct {
	Config  *config.File
	Library *controls.Library
	// Version is the attest version recorded in bundles and results.
	Version string
}

// LoadConfig reads the configuration file at path; with path empty, it
// reads attest.yaml when that exists and returns an empty configuration
// otherwise.
func LoadConfig(path string) (*config.File, error) {
	if path == "" {
		if !config.Exists(config.DefaultFile) {
			return &config.File{}, nil
		}
		path = config.DefaultFile
	}
	return config.Load(path)
}

// Load reads the configuration at cfgPath (see LoadConfig) and the control
// library with the extra directories dirs (see LoadLibrary).
func Load(cfgPath string, dirs []string, version string) (*Setup, error) {
	cfg, err := LoadConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	return NewSetup(cfg, dirs, version)
}

// NewSetup loads the control library for cfg with the extra directories
// dirs (see LoadLibrary).
func NewSetup(cfg *config.File, dirs []string, version string) (*Setup, error) {
	lib, err := LoadLibrary(cfg, dirs)
	if err != nil {
		return nil, err
	}
	return &Setup{Config: cfg, Library: lib, Version: version}, nil
}

// LoadOptions returns the load options that make controls.Load check
// rules against every resource type attest collects: its attribute names
// and their declared types.
func LoadOptions(dirs []string) controls.Options {
	opts := controls.Options{Dirs: dirs, Types: map[string][]string{}, AttributeTypes: map[string]map[string]string{}}
	for name, t := range all.Registry().ResourceTypes() {
		opts.AttributeTypes[name] = map[string]string{}
		for _, a := range t.Attributes {
			opts.Types[name] = append(opts.Types[name], a.Name)
			opts.AttributeTypes[name][a.Name] = a.Type
		}
	}
	return opts
}

// LoadLibrary loads the built-in controls plus the directories cfg names
// and dirs, checks cfg's params against them and leaves out the controls
// cfg excludes. A directory that does not exist is named as such (with the
// line of attest.yaml that names it), every such problem at once.
func LoadLibrary(cfg *config.File, dirs []string) (*controls.Library, error) {
	var errs []error
	for i, d := range cfg.Controls {
		if err := checkDir(d); err != nil {
			errs = append(errs, cfg.Errorf(fmt.Sprintf("controls[%d]", i), "control directory %v", err))
		}
	}
	for _, d := range dirs {
		if err := checkDir(d); err != nil {
			errs = append(errs, fmt.Errorf("control directory %w", err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	lib, err := controls.Load(LoadOptions(append(slices.Clone(cfg.Controls), dirs...)))
	if err != nil {
		return nil, err
	}
	if err := cfg.CheckParams(lib); err != nil {
		return nil, err
	}
	for _, id := range cfg.Exclude {
		if _, ok := lib.Control(id); !ok {
			return nil, fmt.Errorf("%s: exclude: unknown control id %q", cfg.Path, id)
		}
	}
	lib.Controls = slices.DeleteFunc(lib.Controls, func(c *controls.Control) bool { return slices.Contains(cfg.Exclude, c.ID) })
	return lib, nil
}

// checkDir returns an error naming dir when it is not a readable
// directory.
func checkDir(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s does not exist", dir)
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}
