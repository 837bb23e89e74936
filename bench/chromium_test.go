package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"
)

// chromiumPath returns the path of a headless-capable Chromium, or "" when
// none is installed (Debian package chromium).
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// openTiming is what one headless Chromium process measured opening a
// page.
type openTiming struct {
	// Load is from the page's navigation start to the end of its load
	// event (the HTML parsed, its style applied and its scripts run), as
	// the page's own Navigation Timing reports it.
	Load time.Duration
	// Layout is from the navigation start to the end of a layout of the
	// whole page forced right after the load event.
	Layout time.Duration
	// Ready says whether the report's filter script ran (it marks the
	// page data-ready="filters").
	Ready bool
	// Process is the wall time of the whole chromium process: start,
	// opening the page, dumping the DOM and exit.
	Process time.Duration
}

// openPage is the page Chromium opens: it loads the page under test in a
// window-sized frame and, once the frame's load event is over, writes the
// frame's Navigation Timing and the time a forced layout of the frame
// ended into #timing, which --dump-dom prints. Chromium is started with
// --allow-file-access-from-files, so that this page may read the frame's
// timing (file: pages are otherwise of distinct origins).
const openPage = `<!doctype html><meta charset="utf-8"><title>open</title>
<iframe id="f" style="width:1280px;height:900px;border:0" src="%s"></iframe>
<script>
document.getElementById("f").addEventListener("load", function () {
  var out = document.createElement("pre");
  out.id = "timing";
  try {
    var w = this.contentWindow, d = w.document;
    var nav = w.performance.getEntriesByType("navigation")[0];
    d.documentElement.getBoundingClientRect();
    void d.documentElement.offsetHeight;
    var layout = w.performance.now();
    out.textContent = "load_ms=" + nav.loadEventEnd.toFixed(1) + " layout_ms=" + layout.toFixed(1) +
      " ready=" + (d.querySelector('[data-ready="filters"]') !== null);
  } catch (e) {
    out.textContent = "error: " + e;
  }
  document.body.appendChild(out);
});
</script>
`

var timingRE = regexp.MustCompile(`<pre id="timing">([^<]*)</pre>`)
var timingFieldsRE = regexp.MustCompile(`^load_ms=([0-9.]+) layout_ms=([0-9.]+) ready=(true|false)$`)

// parseTiming reads the #timing line openPage writes out of the DOM
// Chromium dumped.
func parseTiming(dom []byte) (openTiming, error) {
	m := timingRE.FindSubmatch(dom)
	if m == nil {
		return openTiming{}, errors.New("the dumped DOM has no timing: the frame did not load")
	}
	text := html.UnescapeString(string(m[1]))
	f := timingFieldsRE.FindStringSubmatch(text)
	if f == nil {
		return openTiming{}, fmt.Errorf("timing %q", text)
	}
	load, err := strconv.ParseFloat(f[1], 64)
	if err != nil {
		return openTiming{}, fmt.Errorf("load_ms: %w", err)
	}
	layout, err := strconv.ParseFloat(f[2], 64)
	if err != nil {
		return openTiming{}, fmt.Errorf("layout_ms: %w", err)
	}
	return openTiming{
		Load:   time.Duration(load * float64(time.Millisecond)),
		Layout: time.Duration(layout * float64(time.Millisecond)),
		Ready:  f[3] == "true",
	}, nil
}

// chromiumArgs are the flags of every headless run: those of the report
// tests (reports/html_chromium_test.go), with profile as the user data
// directory.
func chromiumArgs(profile string) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir=" + profile}
}

// runChromium runs one headless Chromium process that dumps the DOM of
// the page at path, and returns the DOM and the process's wall time.
func runChromium(ctx context.Context, bin, profile, path string, extra ...string) ([]byte, time.Duration, error) {
	// The deadline only stops a hung browser.
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	args := append(chromiumArgs(profile), extra...)
	args = append(args, "--dump-dom", fileURL(path))
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return nil, 0, fmt.Errorf("chromium --dump-dom %s: %w: %.500s", path, err, errb.String())
	}
	return out.Bytes(), wall, nil
}

func fileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: path}).String()
}

// openInChromium opens page (an absolute path) in a frame of openPage in
// one headless Chromium process and returns what it measured. dir holds
// the frame page.
func openInChromium(ctx context.Context, bin, profile, dir, page string) (openTiming, error) {
	frame := filepath.Join(dir, "open.html")
	src := html.EscapeString(fileURL(page))
	if err := os.WriteFile(frame, fmt.Appendf(nil, openPage, src), 0o600); err != nil {
		return openTiming{}, err
	}
	dom, wall, err := runChromium(ctx, bin, profile, frame, "--allow-file-access-from-files")
	if err != nil {
		return openTiming{}, err
	}
	t, err := parseTiming(dom)
	if err != nil {
		return openTiming{}, fmt.Errorf("open %s in chromium: %w", page, err)
	}
	t.Process = wall
	return t, nil
}

// emptyPage is the page whose --dump-dom time is what starting and
// stopping Chromium costs.
const emptyPage = "<!doctype html><meta charset=\"utf-8\"><title>empty</title><p>empty</p>\n"

// htmlOpen is the median of several runs of opening a report in Chromium,
// and of dumping an empty page.
type htmlOpen struct {
	open       openTiming
	emptyProcs time.Duration
	runs       int
}

// measureHTMLOpen opens the report at page runs times in headless
// Chromium, each time in a new process after one for the empty page, and
// returns the medians. A first empty run, not counted, creates the
// profile.
func measureHTMLOpen(ctx context.Context, bin, dir, page string, runs int) (htmlOpen, error) {
	profile := filepath.Join(dir, "profile")
	empty := filepath.Join(dir, "empty.html")
	if err := os.WriteFile(empty, []byte(emptyPage), 0o600); err != nil {
		return htmlOpen{}, err
	}
	if _, _, err := runChromium(ctx, bin, profile, empty); err != nil {
		return htmlOpen{}, err
	}
	var loads, layouts, procs, emptyProcs []time.Duration
	for range runs {
		_, wall, err := runChromium(ctx, bin, profile, empty)
		if err != nil {
			return htmlOpen{}, err
		}
		emptyProcs = append(emptyProcs, wall)
		t, err := openInChromium(ctx, bin, profile, dir, page)
		if err != nil {
			return htmlOpen{}, err
		}
		if !t.Ready {
			return htmlOpen{}, fmt.Errorf("open %s in chromium: the filter script did not run", page)
		}
		loads, layouts, procs = append(loads, t.Load), append(layouts, t.Layout), append(procs, t.Process)
	}
	return htmlOpen{
		open:       openTiming{Load: median(loads), Layout: median(layouts), Ready: true, Process: median(procs)},
		emptyProcs: median(emptyProcs),
		runs:       runs,
	}, nil
}

// median returns the median of ds (the lower middle one of an even
// number), or 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

func TestParseTiming(t *testing.T) {
	got, err := parseTiming([]byte(`<html><body><iframe></iframe><pre id="timing">load_ms=974.2 layout_ms=1010.5 ready=true</pre></body></html>`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Load != 974200*time.Microsecond || got.Layout != 1010500*time.Microsecond || !got.Ready {
		t.Errorf("got %+v", got)
	}
	for _, dom := range []string{
		`<html><body><iframe></iframe></body></html>`,
		`<pre id="timing">error: SecurityError: Blocked a frame with origin &quot;null&quot;</pre>`,
		`<pre id="timing">load_ms=NaN layout_ms=1 ready=true</pre>`,
	} {
		if _, err := parseTiming([]byte(dom)); err == nil {
			t.Errorf("parseTiming(%q) took it", dom)
		}
	}
}

func TestMedian(t *testing.T) {
	if got := median([]time.Duration{3, 1, 2}); got != 2 {
		t.Errorf("median of 3, 1, 2 = %v", got)
	}
	if got := median([]time.Duration{4, 1, 3, 2}); got != 2 {
		t.Errorf("median of 4, 1, 3, 2 = %v", got)
	}
	if got := median(nil); got != 0 {
		t.Errorf("median of none = %v", got)
	}
}

// TestOpenInChromium opens a page whose script marks it ready, and one
// whose script does not run, in headless Chromium: the timing must come
// back, with Ready telling the two apart.
func TestOpenInChromium(t *testing.T) {
	bin := chromiumPath()
	if bin == "" {
		t.Skip("chromium not installed (Debian package chromium)")
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name, script string
		ready        bool
	}{
		{"ready", `document.documentElement.dataset.ready = "filters";`, true},
		{"not-ready", ``, false},
	} {
		page := filepath.Join(dir, tc.name+".html")
		body := "<!doctype html><title>t</title><p>page</p><script>" + tc.script + "</script>\n"
		if err := os.WriteFile(page, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := openInChromium(t.Context(), bin, filepath.Join(dir, "profile"), dir, page)
		if err != nil {
			t.Fatal(err)
		}
		if got.Ready != tc.ready || got.Load <= 0 || got.Layout < got.Load || got.Process <= got.Layout {
			t.Errorf("%s: %+v", tc.name, got)
		}
	}
}
