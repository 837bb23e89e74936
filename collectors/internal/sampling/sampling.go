// Package sampling is the one rule by which the code review collectors
// (GitHub pull requests, GitLab merge requests) pick their sample from the
// population: the items with the smallest SHA-256 of their URL. The rule
// needs nothing but the population, so an auditor can recompute the
// sample.
package sampling

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// Key returns the sort key of the item at url: the hex SHA-256 of url.
func Key(url string) string {
	sum := sha256.Sum256([]byte(url))
	return hex.EncodeToString(sum[:])
}

// Split sorts pop in place by key and returns its first n items (all of
// them when there are fewer), the sample, and the rest.
func Split[T any](pop []T, key func(T) string, n int) (sample, rest []T) {
	slices.SortFunc(pop, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
	n = max(0, min(n, len(pop)))
	return pop[:n], pop[n:]
}
