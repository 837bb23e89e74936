package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A go test -json stream: one package with a pass, a skip (with a reason
// and go test's own lines), a failure with output, and a subtest skip.
const stream = `{"Action":"start","Package":"example.com/p"}
{"Action":"run","Package":"example.com/p","Test":"TestA"}
{"Action":"output","Package":"example.com/p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"output","Package":"example.com/p","Test":"TestA","Output":"--- PASS: TestA (0.00s)\n"}
{"Action":"pass","Package":"example.com/p","Test":"TestA"}
{"Action":"run","Package":"example.com/p","Test":"TestPG"}
{"Action":"output","Package":"example.com/p","Test":"TestPG","Output":"=== RUN   TestPG\n"}
{"Action":"output","Package":"example.com/p","Test":"TestPG","Output":"    pg_test.go:12: PostgreSQL not configured: set ATTEST_TEST_POSTGRES\n"}
{"Action":"output","Package":"example.com/p","Test":"TestPG","Output":"--- SKIP: TestPG (0.00s)\n"}
{"Action":"skip","Package":"example.com/p","Test":"TestPG"}
{"Action":"output","Package":"example.com/p","Test":"TestB","Output":"    b_test.go:3: got 1, want 2\n"}
{"Action":"output","Package":"example.com/p","Test":"TestB","Output":"--- FAIL: TestB (0.00s)\n"}
{"Action":"fail","Package":"example.com/p","Test":"TestB"}
{"Action":"skip","Package":"example.com/p","Test":"TestC/sub"}
{"Action":"output","Package":"example.com/p","Output":"PASS\n"}
{"Action":"output","Package":"example.com/p","Output":"FAIL\texample.com/p\t0.01s\n"}
{"Action":"fail","Package":"example.com/p"}
`

func TestSummarise(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	skips, c, err := summarise(strings.NewReader(stream), &out)
	if err != nil {
		t.Fatal(err)
	}
	if c != (counts{Passed: 1, Failed: 1, Skipped: 2}) {
		t.Errorf("counts %+v", c)
	}
	if got := out.String(); got != "    b_test.go:3: got 1, want 2\n--- FAIL: TestB (0.00s)\nFAIL\texample.com/p\t0.01s\n" {
		t.Errorf("output:\n%s", got)
	}
	if len(skips) != 2 || skips[0].Reason != "pg_test.go:12: PostgreSQL not configured: set ATTEST_TEST_POSTGRES" || skips[1].Reason != "(no reason given)" {
		t.Errorf("skips %+v", skips)
	}

	// The report adds up the runs logged.
	log := filepath.Join(t.TempDir(), "skips.jsonl")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(`{"package":"example.com/p","test":"TestPG","reason":"PostgreSQL not configured"}` + "\n" +
		`{"counts":{"passed":3,"failed":0,"skipped":1}}` + "\n" + `{"counts":{"passed":2,"failed":1,"skipped":0}}` + "\n")
	_ = f.Close()
	var rep bytes.Buffer
	if err := printReport(&rep, log); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Skipped tests (1):\n  example.com/p TestPG: PostgreSQL not configured\n", "\ntests: 5 passed, 1 failed, 1 skipped\n"} {
		if !strings.Contains(rep.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, rep.String())
		}
	}
}
