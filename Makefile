# attest: make help lists the targets.

GO        ?= go
PKGS      := ./...
FUZZTIME  ?= 10s
BIN       := bin/attest
DEMO      := attest-demo
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
# golangci-lint is built from its pinned module version with go run: no
# preinstalled binary is needed, and the Go build cache keeps the binary
# (a cold build takes minutes, a warm start about 2 s; CI should cache
# GOCACHE and GOMODCACHE).
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build bin/attest.
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/attest

.PHONY: demo
demo: build ## Run the whole flow on the built-in demo organisation: check, reports, signed TOMs/DPA, trust page, signed audit pack.
	@./$(BIN) demo --out-dir $(DEMO) --report html,md,sarif,junit; rc=$$?; \
	if [ $$rc -gt 1 ]; then exit $$rc; fi; \
	echo; echo "attest check exited $$rc: 1 means a demo control failed at or above --fail-on, which the demo does on purpose."
	@cd $(DEMO) && \
	SIGN="--company company.yaml --subprocessors subprocessors.yaml --sign-key signer.key --sign-cert signer.pem --log-level warn" && \
	../$(BIN) toms --lang en --out toms-en.pdf $$SIGN && \
	../$(BIN) toms --lang de --out toms-de.pdf $$SIGN && \
	../$(BIN) dpa --lang de --out dpa-de.pdf $$SIGN && \
	../$(BIN) trust --out site $$SIGN && \
	../$(BIN) pack --results results.json --bundle bundle --key signer.key --cert signer.pem --out pack.zip --log-level warn && \
	../$(BIN) verify pack.zip --ca ca.pem && \
	../$(BIN) verify toms-de.pdf --ca ca.pem
	@echo; echo "Written to $(DEMO)/: bundle/ (evidence), results.json, report.{html,md,sarif,junit.xml},"; \
	echo "toms-{en,de}.pdf and dpa-de.pdf (signed), site/ (trust page), pack.zip (signed audit pack)."

# SKIPLOG collects the skipped tests of make test's runs, for the summary
# at its end.
SKIPLOG   := $(or $(TMPDIR),/tmp)/attest-test-skips.$(shell echo $$PPID).jsonl
TESTSUM   := $(GO) run ./internal/testsummary

.PHONY: test
test: vet fmt-check lint ## Run vet, the format check, golangci-lint, all tests, the control library's test cases (strict: every control complete), the race detector (all but the AWS packages), short fuzz runs, and list every skipped test with its reason.
	@rm -f $(SKIPLOG)
	$(TESTSUM) -log $(SKIPLOG) -- -shuffle=on -count=1 $(PKGS)
	@out=$$($(GO) run ./cmd/attest controls test --strict 2>&1) || { echo "$$out"; exit 1; }; echo "$$out" | tail -1
	$(TESTSUM) -log $(SKIPLOG) -- -race -count=1 ./collectors/ ./collectors/evidence/ ./controls/ ./collectors/github/... ./collectors/okta/... \
		./collectors/gcp/... ./collectors/workspace/... ./collectors/entra/... ./collectors/azure/... ./collectors/gitlab/... ./collectors/manual/... ./collectors/tlsprobe/... ./reports/pack/... ./history/... ./gate/...
	$(MAKE) fuzz FUZZTIME=$(FUZZTIME)
	@$(TESTSUM) -report $(SKIPLOG); rc=$$?; rm -f $(SKIPLOG); exit $$rc

.PHONY: test-library
test-library: ## Run the control library's test cases and require it to be complete (a pass and a fail case per control, a rationale per mapping, a doc per param).
	$(GO) test -count=1 -run '^TestLibrary' ./controls/
	$(GO) run ./cmd/attest controls test --strict --log-level warn

.PHONY: fuzz
fuzz: ## Fuzz the control decoder, the rule compiler and the reports over hostile names for FUZZTIME each (default 10s).
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeControl$$' -fuzztime=$(FUZZTIME) ./controls/
	$(GO) test -run='^$$' -fuzz='^FuzzCompileRule$$' -fuzztime=$(FUZZTIME) ./controls/
	$(GO) test -run='^$$' -fuzz='^FuzzHostileNames$$' -fuzztime=$(FUZZTIME) ./reports/
	$(GO) test -run='^$$' -fuzz='^FuzzSanitize$$' -fuzztime=$(FUZZTIME) ./reports/sanitize/

.PHONY: bench
# BENCHTABLE collects the rows of the targets table the benchmarks measure
# (ATTEST_BENCH_TABLE), printed at the end of make bench.
BENCHTABLE := $(or $(TMPDIR),/tmp)/attest-bench-table.$(shell echo $$PPID).md
# ATTEST_BENCH_EVAL_SIZES are the bundle sizes of BenchmarkEvaluateCLI in
# make bench (go test alone runs 10000,100000); set it to run others.
ATTEST_BENCH_EVAL_SIZES ?= 10000,100000,1000000
bench: ## Run the benchmarks: evaluation and reports on one core with memory figures; collection of the medium organisation at the providers' documented limits (minutes: GitHub allows 900 REST points a minute) and of 4x medium for peak memory; an Entra ID tenant, Azure subscriptions and a GitLab group at Graph, ARM and GitLab.com limits (about 9 minutes: GitLab.com allows 2,000 requests a minute); evaluate and report from a bundle on disk (10k, 100k and 1M resources: ATTEST_BENCH_EVAL_SIZES; generating the 1M bundle takes about a minute and its outputs several GB of temporary space) and open the 100k HTML report in headless Chromium; then the targets table.
	@rm -f $(BENCHTABLE)
	$(GO) test -run='^$$' -bench=. -benchmem -cpu=1 -benchtime=3x ./controls/ ./reports/...
	@# The collection benchmarks serve the simulated providers from the same
	@# process, so they get every core: on one, the fakes would compete with
	@# attest for it.
	ATTEST_BENCH_TABLE=$(BENCHTABLE) $(GO) test -run='^$$' -bench='^BenchmarkCollect(MediumOrg|PeakRSS|MicrosoftAndGitLab)$$' -benchtime=1x -timeout=45m ./bench/
	@# evaluate and report from a bundle on disk at 10k, 100k and 1M
	@# resources (ATTEST_BENCH_EVAL_SIZES), on every core as the CLI runs.
	ATTEST_BENCH_TABLE=$(BENCHTABLE) ATTEST_BENCH_EVAL_SIZES='$(ATTEST_BENCH_EVAL_SIZES)' $(GO) test -run='^$$' -bench=EvaluateCLI -benchtime=1x -timeout=30m ./bench/
	@echo; echo "Targets (issue 18), measured in this run on $$(nproc) cores, load average $$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null):"; \
	echo "| figure | this run | target |"; echo "|---|---|---|"; cat $(BENCHTABLE); rm -f $(BENCHTABLE)

.PHONY: golden
golden: ## Rewrite golden files after an intended output change (review the diff).
	$(GO) test ./reports/... -run Golden -update

.PHONY: docs
docs: ## Regenerate docs/coverage.md and the README coverage table from attest coverage.
	@{ echo '<!-- Generated by make docs from attest coverage; do not edit by hand. -->'; echo; \
	for f in soc2 iso27001 gdpr; do $(GO) run ./cmd/attest coverage --framework $$f --format md --explain || exit 1; done; \
	} > docs/coverage.md.tmp && mv docs/coverage.md.tmp docs/coverage.md || { rm -f docs/coverage.md.tmp; exit 1; }
	@$(GO) run ./cmd/attest coverage --summary > README.cov.tmp && \
	awk 'FNR==NR { t = t $$0 "\n"; next } /<!-- coverage:start -->/ { print; printf "%s", t; skip = 1; next } /<!-- coverage:end -->/ { skip = 0 } !skip' README.cov.tmp README.md > README.md.tmp && \
	mv README.md.tmp README.md; rm -f README.cov.tmp README.md.tmp

.PHONY: vet
vet: ## Run go vet.
	$(GO) vet $(PKGS)

.PHONY: lint
lint: ## Run golangci-lint (pinned, config in .golangci.yml): staticcheck, errorlint, layering (depguard), complexity, no printing in library packages.
	$(GOLANGCI_LINT) run ./...

.PHONY: fmt-check
fmt-check: ## Fail when a Go file is not gofmt-formatted.
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

.PHONY: tidy-check
tidy-check: ## Fail when go.mod or go.sum is not tidy.
	$(GO) mod tidy && git diff --exit-code go.mod go.sum

.PHONY: clean
clean: ## Remove build and demo output.
	rm -rf bin attest-demo attest-out
