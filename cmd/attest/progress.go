package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// progressInterval is the shortest time between two redraws of the
// progress line.
const progressInterval = 100 * time.Millisecond

// A progressLine shows one updating line on a terminal while collectors
// run: resources, API calls, errors, jobs done and the job started last.
// Log lines written through it clear the line first, so the two never mix.
type progressLine struct {
	out   io.Writer
	fd    int
	tick  *time.Ticker
	done  chan struct{}
	ended sync.WaitGroup

	resources, calls, errors, jobs, finished atomic.Int64
	current                                  atomic.Pointer[string]

	mu    sync.Mutex // guards out and shown
	shown bool
}

// startProgress returns a progress line on stderr when stderr is a
// terminal, and nil otherwise (then the per-job log lines are all there
// is). A nil *progressLine is ready to use and does nothing.
func (g *globals) startProgress() *progressLine {
	f, ok := g.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return newProgressLine(f, int(f.Fd()))
}

// newProgressLine starts redrawing a progress line on out, a terminal
// with file descriptor fd.
func newProgressLine(out io.Writer, fd int) *progressLine {
	p := &progressLine{out: out, fd: fd, tick: time.NewTicker(progressInterval), done: make(chan struct{})}
	p.ended.Go(func() {
		for {
			select {
			case <-p.tick.C:
				p.draw()
			case <-p.done:
				return
			}
		}
	})
	return p
}

// event counts one runner event; it is the Runner's Progress callback.
func (p *progressLine) event(e collectors.Event) {
	switch e.Kind {
	case collectors.JobsPlanned:
		p.jobs.Add(int64(e.Jobs))
	case collectors.JobStarted:
		s := e.Collector + " " + e.Target.String()
		p.current.Store(&s)
	case collectors.JobFinished:
		p.finished.Add(1)
		if e.Status == evidence.Failed {
			p.errors.Add(1)
		}
	case collectors.ResourceEmitted:
		p.resources.Add(1)
	case collectors.RecordStored:
		p.calls.Add(1)
	case collectors.CallFailed:
		p.errors.Add(1)
	}
}

// callback returns the Runner's Progress function, nil when p is nil.
func (p *progressLine) callback() func(collectors.Event) {
	if p == nil {
		return nil
	}
	return p.event
}

// logger returns a logger that writes through p at the level of base's
// --log-level, or base when p is nil.
func (p *progressLine) logger(base *slog.Logger, level string) *slog.Logger {
	if p == nil {
		return base
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return base
	}
	return slog.New(slog.NewTextHandler(p, &slog.HandlerOptions{Level: lv}))
}

// Write clears the progress line and writes a log line in its place; the
// next tick draws the line again below it.
func (p *progressLine) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
	return p.out.Write(b)
}

func (p *progressLine) draw() {
	line := fmt.Sprintf("collected %d resources, %d API calls, %d errors, %d/%d jobs",
		p.resources.Load(), p.calls.Load(), p.errors.Load(), p.finished.Load(), p.jobs.Load())
	if cur := p.current.Load(); cur != nil {
		line += " (current: " + *cur + ")"
	}
	if w, _, err := term.GetSize(p.fd); err == nil && w > 1 && len(line) >= w {
		line = line[:w-1]
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = io.WriteString(p.out, "\r\x1b[K"+line)
	p.shown = true
}

func (p *progressLine) clearLocked() {
	if p.shown {
		_, _ = io.WriteString(p.out, "\r\x1b[K")
		p.shown = false
	}
}

// stop stops redrawing and clears the line.
func (p *progressLine) stop() {
	if p == nil {
		return
	}
	p.tick.Stop()
	close(p.done)
	p.ended.Wait()
	p.mu.Lock()
	p.clearLocked()
	p.mu.Unlock()
}
