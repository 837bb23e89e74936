package collectors

// PositiveOr returns v, or def when v is zero or negative: the default of
// a count, size or period in a source's configuration.
func PositiveOr(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// PtrOr returns p, or a new pointer to def when p is nil: the default of a
// setting whose zero is a valid choice (a wait of 0 seconds, no retries).
func PtrOr[T any](p *T, def T) *T {
	if p == nil {
		return &def
	}
	return p
}
