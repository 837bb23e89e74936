package github

import (
	"context"
	"sync"

	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// repoWalk is one walk of an organisation's REST repository list
// (GET /orgs/{org}/repos, 100 a page), shared by the collectors of a
// collection that read it: github.sast, github.repo_security and
// github.alerts each walked it on their own before, three times the pages
// for the same list.
type repoWalk struct {
	done chan struct{}
	// repos are what the collectors read of every repository of the list,
	// unfiltered, in the order GitHub returned them.
	repos []listedRepo
	// pageRecord is, for each repository, the raw response of its page
	// ("" outside a collector run); records are every page's, in order.
	// They were recorded by the run that walked the list.
	pageRecord []string
	records    []string
	// captured are the records of the walk's responses, which every
	// other reader records again as responses of its own run.
	captured []evidence.Record
	// err is the listing's error as the client returned it, not yet
	// classified: each reader classifies it with the permission it needs.
	err error
}

// walkRepos returns the organisation's REST repository list, walking it at
// most once per Source (one collection) however many collectors read it.
// A reader that arrives while another walks it waits for that walk (or for
// its own ctx). A walk that ended in a cancellation or timeout of the run
// that made it is not kept: the next reader, or a waiting one whose own
// context is still live, walks the list again. Any other failure is kept
// and returned to every reader, which records it as its own failure: a
// listing that fails is never an empty organisation.
func (s *Source) walkRepos(ctx context.Context, c *gh.Client, org string) (*repoWalk, error) {
	for {
		s.walksMu.Lock()
		if s.walks == nil {
			s.walks = map[string]*repoWalk{}
		}
		w, ok := s.walks[org]
		if !ok {
			w = &repoWalk{done: make(chan struct{})}
			s.walks[org] = w
			s.walksMu.Unlock()
			w.walk(ctx, c, org)
			if canceled(w.err) {
				s.walksMu.Lock()
				delete(s.walks, org)
				s.walksMu.Unlock()
			}
			close(w.done)
			return w, w.err
		}
		s.walksMu.Unlock()
		select {
		case <-w.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if canceled(w.err) && ctx.Err() == nil {
			// The run that walked it stopped; this one has not.
			continue
		}
		// The responses are this run's evidence too: record them as such
		// (the bodies are stored once), as if it had read them itself.
		for _, rec := range w.captured {
			collectors.Rerecord(ctx, rec)
		}
		return w, w.err
	}
}

// walk reads every page of the list.
func (w *repoWalk) walk(ctx context.Context, c *gh.Client, org string) {
	tctx, trace := collectors.WithTrace(ctx)
	tctx, capture := collectors.WithCapture(tctx)
	opts := &gh.RepositoryListByOrgOptions{Type: "all", ListOptions: gh.ListOptions{PerPage: 100}}
	for r, err := range c.Repositories.ListByOrgIter(tctx, org, opts) {
		if err != nil {
			w.err = err
			break
		}
		rec := ""
		if recs := trace.Records(); len(recs) > 0 {
			rec = recs[len(recs)-1]
		}
		w.repos = append(w.repos, listed(r))
		w.pageRecord = append(w.pageRecord, rec)
	}
	w.records = trace.Records()
	w.captured = capture.Records()
}

// walksOf guards Source.walks; declared here to keep the shared walk in
// one file.
type walksOf struct {
	walksMu sync.Mutex
	walks   map[string]*repoWalk
}
