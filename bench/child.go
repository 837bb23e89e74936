package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ChildEnv is the environment variable that makes TestCollectChild, in
// a child process of the benchmark, collect the job in the file it names
// (Child).
const ChildEnv = "ATTEST_BENCH_CHILD"

// A childJob is what the benchmark asks of its child: where the fakes
// listen, which bundle to write and where to put the Result.
type childJob struct {
	Endpoints Endpoints
	Dir, Out  string
}

// collectChild runs the collection of ep in a child process, the test
// binary run again with -test.run=^TestCollectChild$ and ChildEnv, while
// this process serves the fakes. A user's attest collect does not hold
// the simulated providers: the child's peak RSS (its Maxrss over its whole
// life, the controls' loading included) is attest's alone. ServerRSS is
// this process's peak meanwhile: the fakes and the benchmark.
func collectChild(ctx context.Context, dir string, ep Endpoints) (Result, error) {
	tmp, err := os.MkdirTemp("", "attest-bench-child")
	if err != nil {
		return Result{}, fmt.Errorf("bench: child job: %w", err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	job := childJob{Endpoints: ep, Dir: dir, Out: filepath.Join(tmp, "result.json")}
	data, err := json.Marshal(job)
	if err != nil {
		return Result{}, fmt.Errorf("bench: child job: %w", err)
	}
	path := filepath.Join(tmp, "job.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return Result{}, fmt.Errorf("bench: child job: %w", err)
	}
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCollectChild$", "-test.count=1", "-test.timeout=0")
	cmd.Env = append(os.Environ(), ChildEnv+"="+path)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	resetHWM()
	if err := cmd.Run(); err != nil {
		return Result{}, fmt.Errorf("bench: child collection: %w", err)
	}
	server := hwm()
	out, err := os.ReadFile(job.Out)
	if err != nil {
		return Result{}, fmt.Errorf("bench: child result: %w", err)
	}
	var res Result
	if err := json.Unmarshal(out, &res); err != nil {
		return Result{}, fmt.Errorf("bench: child result: %w", err)
	}
	res.PeakRSS, res.ServerRSS = maxRSS(cmd.ProcessState), server
	return res, nil
}

// Child collects the job in the file path names, as collectChild's child
// process: it writes the bundle and the Result (without the calls, which
// the fakes count in the parent).
func Child(ctx context.Context, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("bench: child job: %w", err)
	}
	var job childJob
	if err := json.Unmarshal(data, &job); err != nil {
		return fmt.Errorf("bench: child job %s: %w", path, err)
	}
	res, err := collect(ctx, job.Dir, job.Endpoints)
	if err != nil {
		return err
	}
	out, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("bench: child result: %w", err)
	}
	if err := os.WriteFile(job.Out, out, 0o600); err != nil {
		return fmt.Errorf("bench: child result: %w", err)
	}
	return nil
}
