package config

import (
	"fmt"
	"regexp"
)

// checkPatterns compiles the regular expressions of the configuration
// that their sources do not check themselves, so that a malformed one is an
// error naming its line rather than a filter that silently matches nothing
// at collection. (GitHub and GitLab check their globs in their Validate.)
func checkPatterns(f *File, bad func(field string, err error)) {
	if a := f.Sources.AWS; a != nil && a.Secrets.NamePattern != "" {
		if _, err := regexp.Compile(a.Secrets.NamePattern); err != nil {
			bad("sources.aws.secrets.name_pattern", fmt.Errorf("regular expression %q: %w", a.Secrets.NamePattern, err))
		}
	}
}
