package engine

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/controls"
)

// EvalInputs are the evaluation options a user gives as text (the flags of
// evaluate and check); empty means the configuration's value or the
// default.
type EvalInputs struct {
	// Waivers is the waiver file (default: waivers in attest.yaml).
	Waivers string
	// MaxAge is the oldest evidence accepted for every control, e.g. 7d
	// (default: each control's frequency).
	MaxAge string
	// AsOf is the evaluation time: RFC 3339 or "now" (default: the
	// bundle's collection time, so results reproduce).
	AsOf string
	// WarnExpiring warns about manual evidence and waivers that expire
	// within this long (default: warn_expiring in attest.yaml, else 30d).
	WarnExpiring string
}

// EvalOptions turns in and the configuration into evaluation options.
func (s *Setup) EvalOptions(in EvalInputs) (controls.EvalOptions, error) {
	opts := controls.EvalOptions{Params: s.Config.Params, AttestVersion: s.Version}
	if path := cmp.Or(in.Waivers, s.Config.Waivers); path != "" {
		ws, err := controls.LoadWaivers(path, s.Library)
		if err != nil {
			return opts, err
		}
		opts.Waivers = ws
	}
	if w := cmp.Or(in.WarnExpiring, s.Config.WarnExpiring); w != "" {
		d, err := controls.ParseDuration(w)
		if err != nil {
			return opts, fmt.Errorf("--warn-expiring: %w", err)
		}
		opts.ExpiryWarning = d
	}
	if in.MaxAge != "" {
		d, err := controls.ParseDuration(in.MaxAge)
		if err != nil {
			return opts, fmt.Errorf("--max-age: %w", err)
		}
		opts.MaxAge = d
	}
	switch in.AsOf {
	case "":
	case "now":
		opts.AsOf = time.Now().UTC()
	default:
		t, err := time.Parse(time.RFC3339, in.AsOf)
		if err != nil {
			return opts, fmt.Errorf("--as-of %q: want an RFC 3339 time or now", in.AsOf)
		}
		opts.AsOf = t
	}
	return opts, nil
}

// Evaluate evaluates the bundle in dir, read as a stream (see
// controls.EvaluateDir). The bundle it returns holds only the resources
// with gaps, which is what the gate reads (Gate, Drift).
func (s *Setup) Evaluate(ctx context.Context, dir string, in EvalInputs) (*controls.Results, *evidence.Bundle, error) {
	opts, err := s.EvalOptions(in)
	if err != nil {
		return nil, nil, err
	}
	res, gapped, err := controls.EvaluateDir(ctx, s.Library, dir, opts)
	if err != nil {
		return nil, nil, err
	}
	return res, &evidence.Bundle{Dir: dir, Resources: gapped}, nil
}

// CheckReproducible evaluates the bundle in dir again with the setup's
// configuration alone (no flags: what an audit pack stores) and reports
// how the results differ from res, if they do.
func (s *Setup) CheckReproducible(ctx context.Context, res *controls.Results, dir string) error {
	again, _, err := s.Evaluate(ctx, dir, EvalInputs{})
	if err != nil {
		return err
	}
	want, err := res.MarshalIndent()
	if err != nil {
		return err
	}
	got, err := again.MarshalIndent()
	if err != nil {
		return err
	}
	if !bytes.Equal(want, got) {
		s := again.Summary
		return fmt.Errorf("re-evaluation gives %d pass, %d fail, %d waived, %d inconclusive (was --max-age, --waivers or another configuration used?)", s.Pass, s.Fail, s.Waived, s.Inconclusive)
	}
	return nil
}

// PackControls returns the definitions of the controls res was evaluated
// with, in res's order, for an audit pack; a control the library lacks is
// an error naming the results file.
func (s *Setup) PackControls(res *controls.Results, resultsFile string) ([]*controls.Control, error) {
	var used []*controls.Control
	for _, c := range res.Controls {
		def, ok := s.Library.Control(c.ID)
		if !ok {
			return nil, fmt.Errorf("control %s in %s is not in the library: pass its directory with --controls", c.ID, resultsFile)
		}
		used = append(used, def)
	}
	return used, nil
}
