package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

func TestProgressLine(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := newProgressLine(&out, -1)
	target := evidence.Target{Source: "aws", Account: "111122223333", Region: "eu-central-1"}
	for _, e := range []collectors.Event{
		{Kind: collectors.JobsPlanned, Jobs: 3},
		{Kind: collectors.JobStarted, Collector: "aws.s3", Target: target},
		{Kind: collectors.RecordStored}, {Kind: collectors.RecordStored},
		{Kind: collectors.ResourceEmitted},
		{Kind: collectors.CallFailed},
		{Kind: collectors.JobFinished, Status: evidence.Partial},
		{Kind: collectors.JobFinished, Status: evidence.Failed},
	} {
		p.callback()(e)
	}
	p.draw()
	if _, err := p.Write([]byte("level=INFO msg=collected\n")); err != nil {
		t.Fatal(err)
	}
	p.stop()
	got := out.String()
	want := "collected 1 resources, 2 API calls, 2 errors, 2/3 jobs (current: aws.s3 aws/111122223333/eu-central-1)"
	if !strings.Contains(got, "\r\x1b[K"+want+"\r\x1b[Klevel=INFO msg=collected\n") {
		t.Errorf("progress output %q lacks the line %q cleared before the log line", got, want)
	}
	if !strings.HasSuffix(got, "\r\x1b[K") && !strings.HasSuffix(got, "collected\n") {
		t.Errorf("progress line not cleared at the end: %q", got)
	}
}

func TestNoProgressOffTerminal(t *testing.T) {
	t.Parallel()
	g := &globals{stderr: &bytes.Buffer{}}
	p := g.startProgress()
	if p != nil {
		t.Fatal("progress line started on a non-terminal stderr")
	}
	if p.callback() != nil {
		t.Error("a nil progress line has a callback")
	}
	p.stop()
}
