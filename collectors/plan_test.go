package collectors

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// TestSortByIDAndJobs checks the planning helpers the sources share:
// collectors sorted by ID, one job per enabled collector and account, the
// accounts sorted and without repeats, nothing for a disabled collector.
func TestSortByIDAndJobs(t *testing.T) {
	t.Parallel()
	cs := SortByID([]Collector{&fake{id: "x.b"}, &fake{id: "x.c"}, &fake{id: "x.a"}})
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.Describe().ID)
	}
	if !slices.Equal(ids, []string{"x.a", "x.b", "x.c"}) {
		t.Fatalf("SortByID: %v", ids)
	}
	accounts := []string{"org-2", "org-1", "org-2"}
	jobs := Jobs("x", cs, func(id string) bool { return id != "x.b" }, accounts...)
	var got []string
	for _, j := range jobs {
		if j.Target.Source != "x" || j.Target.Region != "" {
			t.Errorf("target %+v", j.Target)
		}
		got = append(got, j.Collector.Describe().ID+"@"+j.Target.Account)
	}
	if want := []string{"x.a@org-1", "x.a@org-2", "x.c@org-1", "x.c@org-2"}; !slices.Equal(got, want) {
		t.Errorf("Jobs: %v, want %v", got, want)
	}
	if !slices.Equal(accounts, []string{"org-2", "org-1", "org-2"}) {
		t.Errorf("Jobs changed its argument: %v", accounts)
	}
	if jobs := Jobs("x", cs, func(string) bool { return false }, "org-1"); jobs != nil {
		t.Errorf("no collector enabled: %v", jobs)
	}
}

// TestCallTransportDeadline checks that CallTransport bounds each call by
// the injected client's Timeout, and by DefaultTimeouts.Call without one.
func TestCallTransportDeadline(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		injected *http.Client
		want     time.Duration
	}{
		{nil, DefaultTimeouts.Call},
		{&http.Client{}, DefaultTimeouts.Call},
		{&http.Client{Timeout: 300 * time.Millisecond}, 300 * time.Millisecond},
		{&http.Client{Transport: http.DefaultTransport, Timeout: time.Second}, time.Second},
	} {
		dt, ok := CallTransport(tt.injected).(*deadlineTransport)
		if !ok || dt.d != tt.want {
			t.Errorf("CallTransport(%+v): %#v, want a deadline of %s", tt.injected, dt, tt.want)
			continue
		}
		if tt.injected != nil && tt.injected.Transport != nil && dt.base != tt.injected.Transport {
			t.Errorf("CallTransport did not keep the injected transport")
		}
		if (tt.injected == nil || tt.injected.Transport == nil) && dt.base == nil {
			t.Errorf("no base transport")
		}
	}
}
