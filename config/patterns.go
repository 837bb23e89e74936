package config

import (
	"fmt"
	"regexp"
)

// checkPatterns compiles the regular expressions of the configuration
// that their sources do not check themselves, and GitLab's project globs, so that a malformed one is an
// error naming its line rather than a filter that silently matches nothing
// at collection. (GitHub checks its repository globs in its Validate.)
func checkPatterns(f *File, bad func(field string, err error)) {
	if g := f.Sources.GitLab; g != nil {
		for _, e := range g.Check() {
			bad("sources.gitlab."+e.Field, e.Err)
		}
	}
	if a := f.Sources.AWS; a != nil && a.Secrets.NamePattern != "" {
		if _, err := regexp.Compile(a.Secrets.NamePattern); err != nil {
			bad("sources.aws.secrets.name_pattern", fmt.Errorf("regular expression %q: %w", a.Secrets.NamePattern, err))
		}
	}
}
