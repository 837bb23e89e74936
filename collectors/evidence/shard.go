package evidence

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// A Shard names one part of a collection split across machines: shard
// Index (counting from 0) of Count. The zero Shard means the whole
// collection.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// ParseShard parses "i/n", e.g. "0/3". An empty string is the zero Shard.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("evidence: shard %q: want INDEX/COUNT, e.g. 0/3", s)
	}
	sh := Shard{Index: i, Count: n}
	if err := sh.Validate(); err != nil {
		return Shard{}, err
	}
	return sh, nil
}

// Validate reports whether the shard is the zero Shard or has
// 0 <= Index < Count.
func (s Shard) Validate() error {
	if s == (Shard{}) {
		return nil
	}
	if s.Count < 1 || s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("evidence: shard %d/%d: want 0 <= index < count", s.Index, s.Count)
	}
	return nil
}

// String returns the shard as "i/n".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Owns reports whether the target belongs to this shard. Targets are
// assigned by the FNV-1a hash of source and account, so every region of an
// account (and every repository of a GitHub organisation) lands on the same
// shard, and the assignment never depends on which other targets exist. The
// zero Shard owns every target.
func (s Shard) Owns(t Target) bool {
	if s.Count <= 1 {
		return true
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(t.Source + "/" + t.Account))
	return int(h.Sum32()%uint32(s.Count)) == s.Index
}
