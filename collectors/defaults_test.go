package collectors

import "testing"

func TestDefaults(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ v, want int }{{0, 4}, {-1, 4}, {1, 1}, {7, 7}} {
		if got := PositiveOr(tt.v, 4); got != tt.want {
			t.Errorf("PositiveOr(%d, 4) = %d, want %d", tt.v, got, tt.want)
		}
	}
	if p := PtrOr(nil, 60); p == nil || *p != 60 {
		t.Errorf("PtrOr(nil, 60) = %v", p)
	}
	zero := 0
	if p := PtrOr(&zero, 60); p != &zero {
		t.Errorf("PtrOr(&0, 60) did not keep the configured 0")
	}
	a, b := PtrOr(nil, 3), PtrOr(nil, 3)
	if a == b {
		t.Error("PtrOr shares one pointer between sources")
	}
}
