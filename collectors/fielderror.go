package collectors

import "fmt"

// A FieldError is a problem in one field of a source's configuration, for
// the Validate methods of source configs: Field is the dotted path below
// the source's section (e.g. "repos.include[0]"), so that the config loader
// reports the file, line and field of the problem.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %v", e.Field, e.Err) }

func (e *FieldError) Unwrap() error { return e.Err }
