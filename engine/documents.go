package engine

import (
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/config"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports/toms"
	"github.com/attestdev/attest/subprocessors"
)

// DocSources name the files the TOMs, the DPA and the trust page are built
// from; an empty Company or Subprocessors is taken from attest.yaml.
type DocSources struct {
	// Results is the results file the documents state.
	Results string
	// Bundle is the evidence bundle the results were evaluated from, for
	// who attested manual evidence and when; empty means bundle/ next to
	// Results, when there is one.
	Bundle string
	// Company and Subprocessors are the company data and the subprocessor
	// register.
	Company, Subprocessors string
	// Controls are the extra control directories the results were
	// evaluated with.
	Controls []string
}

// DocInputs are everything a document is built from but its language.
type DocInputs struct {
	Library  *controls.Library
	Results  *controls.Results
	Company  *toms.Company
	Register *subprocessors.Register
	// Records are the manual evidence records of the bundle in
	// RecordsDir, by resource id; nil when that holds no bundle
	// (NoBundle), so attested measures name the record, not the person.
	Records    map[string]toms.Record
	RecordsDir string
	NoBundle   bool
}

// LoadDocInputs reads the company data, the subprocessor register (both
// required: a register may list none), the control library, the results
// and the bundle's manual evidence records.
func LoadDocInputs(cfg *config.File, src DocSources) (*DocInputs, error) {
	if src.Company == "" {
		src.Company = cfg.Company
	}
	if src.Subprocessors == "" {
		src.Subprocessors = cfg.Subprocessors
	}
	if src.Company == "" {
		return nil, errors.New("no company data: set company: in attest.yaml or pass --company, a YAML file with the company's name, address and contact")
	}
	if src.Subprocessors == "" {
		return nil, errors.New("no subprocessor register: set subprocessors: in attest.yaml or pass --subprocessors (write \"subprocessors: []\" if there are none)")
	}
	in := &DocInputs{}
	var err error
	if in.Library, err = LoadLibrary(cfg, src.Controls); err != nil {
		return nil, err
	}
	if in.Results, err = controls.ReadResults(src.Results); err != nil {
		return nil, err
	}
	if in.Company, err = toms.LoadCompany(src.Company); err != nil {
		return nil, err
	}
	if in.Register, err = subprocessors.Load(src.Subprocessors); err != nil {
		return nil, err
	}
	in.RecordsDir = src.Bundle
	if in.RecordsDir == "" {
		in.RecordsDir = filepath.Join(filepath.Dir(src.Results), "bundle")
		if _, err := os.Stat(filepath.Join(in.RecordsDir, evidence.ManifestFile)); err != nil {
			in.NoBundle = true
			return in, nil
		}
	}
	b, err := evidence.Open(in.RecordsDir)
	if err != nil {
		return nil, err
	}
	in.Records = toms.RecordsOf(b.Resources)
	return in, nil
}

// Document builds the TOMs document in lang from in (toms.Build).
func (in *DocInputs) Document(lang string, omitNotInPlace bool, validFor time.Duration, producer string) (*toms.Document, error) {
	return toms.Build(in.Library, in.Results, toms.Input{
		Lang:           lang,
		Company:        *in.Company,
		Subprocessors:  in.Register.Subprocessors,
		OmitNotInPlace: omitNotInPlace,
		ValidFor:       validFor,
		Producer:       producer,
		Records:        in.Records,
	})
}
