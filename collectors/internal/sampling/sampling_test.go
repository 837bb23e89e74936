package sampling

import (
	"slices"
	"strings"
	"testing"
)

// TestSplit checks the key (the SHA-256 of the URL, in hex) and that the
// sample is the items with the smallest keys.
func TestSplit(t *testing.T) {
	t.Parallel()
	if got, want := Key("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Fatalf("Key(abc) = %s, want %s", got, want)
	}
	pop := []string{"https://x/3", "https://x/1", "https://x/2", "https://x/4"}
	want := slices.Clone(pop)
	slices.SortFunc(want, func(a, b string) int { return strings.Compare(Key(a), Key(b)) })
	sample, rest := Split(pop, Key, 2)
	if !slices.Equal(sample, want[:2]) || !slices.Equal(rest, want[2:]) {
		t.Errorf("Split = %v, %v; want %v, %v", sample, rest, want[:2], want[2:])
	}
	if s, r := Split(pop, Key, 10); len(s) != 4 || len(r) != 0 {
		t.Errorf("n beyond the population: %v, %v", s, r)
	}
	if s, r := Split(pop, Key, 0); len(s) != 0 || len(r) != 4 {
		t.Errorf("n = 0: %v, %v", s, r)
	}
}
