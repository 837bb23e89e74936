package trust

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/attestdev/attest/reports/toms"
)

// chromium loads page in headless Chromium, takes a screenshot and returns
// the path of the screenshot and the browser's log, in which every console
// message appears as a CONSOLE line. It skips the test without Chromium.
func chromium(t *testing.T, page string) (shot, log string) {
	t.Helper()
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("chromium not installed (Debian package chromium): skipping the browser check")
	}
	shot = filepath.Join(t.TempDir(), "screenshot.png")
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0",
		"--screenshot="+shot, "--window-size=1280,1000", "file://"+page)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	return shot, string(out)
}

var consoleLine = regexp.MustCompile(`(?m)^.*:CONSOLE[:(].*$`)

func TestChromium(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	doc := document(t, "de", false)
	pdf, err := toms.RenderTOMs(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "toms-de.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, doc, []Download{{Title: "TOMs", File: "toms-de.pdf", Lang: "de", SHA256: "00"}}); err != nil {
		t.Fatal(err)
	}
	shot, log := chromium(t, filepath.Join(dir, IndexFile))
	if msgs := consoleLine.FindAllString(log, -1); len(msgs) > 0 {
		t.Errorf("console messages while loading the page:\n%s", strings.Join(msgs, "\n"))
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, log)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 1000 {
		t.Errorf("screenshot is %v, want 1280x1000", b)
	}
	// The header band is dark blue: the stylesheet was applied.
	if r, g, b, _ := img.At(20, 20).RGBA(); !(r>>8 < 0x40 && g>>8 < 0x50 && b>>8 > 0x50) {
		t.Errorf("pixel (20,20) is rgb(%d,%d,%d), want the dark blue header", r>>8, g>>8, b>>8)
	}
	if keep := os.Getenv("ATTEST_KEEP_SCREENSHOT"); keep != "" {
		data, _ := os.ReadFile(shot)
		if err := os.WriteFile(keep, data, 0o644); err != nil {
			t.Error(err)
		}
	}
}

// TestChromiumSeesConsoleErrors shows that the console check above can
// fail: a page that logs an error is caught.
func TestChromiumSeesConsoleErrors(t *testing.T) {
	t.Parallel()
	page := filepath.Join(t.TempDir(), "bad.html")
	html := `<!DOCTYPE html><html><head><link rel="icon" href="data:,"></head><body><script>console.error("broken page")</script></body></html>`
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	_, log := chromium(t, page)
	if msgs := consoleLine.FindAllString(log, -1); len(msgs) != 1 || !strings.Contains(msgs[0], "broken page") {
		t.Errorf("console messages = %q, want the one error of the page", msgs)
	}
}
