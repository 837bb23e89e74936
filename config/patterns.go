package config

import (
	"fmt"
	"path"
	"regexp"
)

// checkPatterns compiles every glob and regular expression in the
// configuration, so that a malformed one is an error naming its line
// rather than a filter that silently matches nothing at collection.
func checkPatterns(f *File, bad func(field string, err error)) {
	if g := f.Sources.GitHub; g != nil {
		for _, l := range []struct {
			name string
			pats []string
		}{{"include", g.Repos.Include}, {"exclude", g.Repos.Exclude}} {
			list := l.name
			for i, p := range l.pats {
				if _, err := path.Match(p, ""); err != nil {
					bad(fmt.Sprintf("sources.github.repos.%s[%d]", list, i), fmt.Errorf("repository pattern %q: %w (want a path.Match glob, e.g. infra-*)", p, err))
				}
			}
		}
	}
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
