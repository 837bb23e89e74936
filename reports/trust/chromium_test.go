package trust

import (
	"fmt"
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
	return chromiumAt(t, page, 1280, 1000)
}

// chromiumAt is chromium with a window width x height CSS pixels.
func chromiumAt(t *testing.T, page string, width, height int) (shot, log string) {
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
		"--screenshot="+shot, fmt.Sprintf("--window-size=%d,%d", width, height), "--hide-scrollbars", "file://"+page)
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
	if err := Write(dir, doc, []Download{{Title: "TOMs", File: "toms-de.pdf", Lang: "de", SHA256: "00"}}, Options{}); err != nil {
		t.Fatal(err)
	}
	// A console message here includes any Content-Security-Policy
	// violation: the stylesheet's hash must match.
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

// TestChromiumWidths loads a long page (a German legal name, long
// statements, every option) at phone and desktop widths: no console
// message (so no Content-Security-Policy violation), the styled header
// spans the window, and nothing but background lies in the rightmost
// column, so no content runs past the window. ATTEST_KEEP_SCREENSHOTS=dir
// keeps the screenshots to look at.
func TestChromiumWidths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	doc := document(t, "de", false)
	doc.Company.Name = "Müller & Söhne Gesellschaft für Datenverarbeitung, Cloud-Betrieb und IT-Sicherheitsberatung mbH & Co. KG"
	downloads := []Download{{Title: "Technische und organisatorische Maßnahmen", File: "toms-de.pdf", Lang: "de", Signed: true, SHA256: strings.Repeat("ab", 32)}}
	if err := os.WriteFile(filepath.Join(dir, "toms-de.pdf"), []byte("%PDF-1.7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, doc, downloads, Options{ShowNotVerified: true, ShowNames: true}); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int{390, 1280} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			shot, log := chromiumAt(t, filepath.Join(dir, IndexFile), width, 1400)
			if msgs := consoleLine.FindAllString(log, -1); len(msgs) > 0 {
				t.Errorf("console messages while loading the page:\n%s", strings.Join(msgs, "\n"))
			}
			f, err := os.Open(shot)
			if err != nil {
				t.Fatalf("no screenshot: %v\n%s", err, log)
			}
			img, err := png.Decode(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			b := img.Bounds()
			if b.Dx() != width {
				t.Fatalf("screenshot is %d wide, want %d", b.Dx(), width)
			}
			dark := func(x, y int) bool {
				r, g, bl, _ := img.At(x, y).RGBA()
				return r>>8 < 0x40 && g>>8 < 0x50 && bl>>8 > 0x50
			}
			if !dark(2, 10) || !dark(width-3, 10) {
				t.Error("the dark header does not span the window: the stylesheet was not applied")
			}
			// Below the header, the last pixel column is page background.
			top := 10
			for top < b.Dy() && dark(2, top) {
				top++
			}
			for y := top; y < b.Dy(); y++ {
				r, g, bl, _ := img.At(width-1, y).RGBA()
				if r>>8 < 0xe0 || g>>8 < 0xe0 || bl>>8 < 0xe0 {
					t.Errorf("pixel (%d,%d) at the right edge is rgb(%d,%d,%d): content runs past the window", width-1, y, r>>8, g>>8, bl>>8)
					break
				}
			}
			if keep := os.Getenv("ATTEST_KEEP_SCREENSHOTS"); keep != "" {
				data, _ := os.ReadFile(shot)
				if err := os.WriteFile(filepath.Join(keep, fmt.Sprintf("trust-%d.png", width)), data, 0o644); err != nil {
					t.Error(err)
				}
			}
		})
	}
}
