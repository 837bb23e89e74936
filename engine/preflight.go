package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/attestdev/attest/collectors/manual"
	"github.com/attestdev/attest/config"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports/toms"
	"github.com/attestdev/attest/subprocessors"
)

// Inputs are the files a run reads besides attest.yaml that the command
// line names; empty means the one attest.yaml names (or none).
type Inputs struct {
	// Waivers is the waiver file of --waivers.
	Waivers string
	// Baseline is the earlier results file of --baseline.
	Baseline string
}

// Preflight loads and validates every input file named in attest.yaml or
// in in before any API call: waivers, company data, the subprocessor
// register, the manual evidence records and the baseline. A missing or
// malformed file would otherwise be noticed only after a full collection.
// Every problem is returned, joined, naming file, line and field.
func (s *Setup) Preflight(in Inputs) error {
	cfg, lib := s.Config, s.Library
	var errs []error
	// file checks that a file named by flag (or by field of attest.yaml
	// when flag is empty) exists, then loads it.
	file := func(flag, flagValue, field, cfgValue string, load func(string) error) {
		path := flagValue
		if path == "" {
			path = cfgValue
		}
		if path == "" {
			return
		}
		if _, err := os.Stat(path); err != nil {
			if flagValue != "" {
				errs = append(errs, fmt.Errorf("%s %s: %w", flag, path, unwrapPath(err)))
			} else {
				errs = append(errs, cfg.Errorf(field, "%s: %v", path, unwrapPath(err)))
			}
			return
		}
		if err := load(path); err != nil {
			errs = append(errs, err)
		}
	}
	file("--waivers", in.Waivers, "waivers", cfg.Waivers, func(p string) error {
		_, err := controls.LoadWaivers(p, lib)
		return err
	})
	file("", "", "company", cfg.Company, func(p string) error {
		_, err := toms.LoadCompany(p)
		return err
	})
	file("", "", "subprocessors", cfg.Subprocessors, func(p string) error {
		_, err := subprocessors.Load(p)
		return err
	})
	file("--baseline", in.Baseline, "", "", func(p string) error {
		if _, err := controls.ReadResults(p); err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
		return nil
	})
	if m := cfg.Sources.Manual; m != nil && m.FS == nil {
		errs = append(errs, checkEvidenceDir(cfg, m.DirOrDefault())...)
	}
	return errors.Join(errs...)
}

// checkEvidenceDir reads the manual evidence records in dir and returns
// every problem: a missing directory, or a record that does not parse.
func checkEvidenceDir(cfg *config.File, dir string) []error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return []error{cfg.Errorf("sources.manual.dir", "evidence directory %s does not exist: record evidence with attest evidence add --dir %s, or create the directory", dir, dir)}
	case err != nil:
		return []error{cfg.Errorf("sources.manual.dir", "%v", err)}
	case !st.IsDir():
		return []error{cfg.Errorf("sources.manual.dir", "%s is not a directory", dir)}
	}
	_, problems, err := manual.Read(os.DirFS(dir))
	if err != nil {
		return []error{cfg.Errorf("sources.manual.dir", "%v", err)}
	}
	for i, p := range problems {
		problems[i] = fmt.Errorf("%s%c%w", dir, filepath.Separator, p)
	}
	return problems
}

// unwrapPath returns the cause of a *fs.PathError, so that messages name
// the path once.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
