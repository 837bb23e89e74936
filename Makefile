# attest: make help lists the targets.

GO        ?= go
PKGS      := ./...
FUZZTIME  ?= 10s
BIN       := bin/attest
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build bin/attest.
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/attest

.PHONY: demo
demo: build ## Run attest check end to end on the built-in demo organisation (exit 1 from failing demo controls is expected).
	@./$(BIN) demo --out-dir attest-demo --report html,md,sarif; rc=$$?; \
	if [ $$rc -gt 1 ]; then exit $$rc; fi; \
	echo; echo "Bundle: attest-demo/bundle  Results: attest-demo/results.json  Report: attest-demo/report.html"; \
	echo "attest exited $$rc: 1 means a demo control failed at or above --fail-on, which the demo does on purpose."

.PHONY: test
test: vet fmt-check ## Run vet, the format check, all tests, the race detector on the concurrent core, and short fuzz runs.
	$(GO) test -shuffle=on -count=1 $(PKGS)
	$(GO) test -race -count=1 ./collectors/ ./collectors/evidence/ ./controls/
	$(MAKE) fuzz FUZZTIME=$(FUZZTIME)

.PHONY: fuzz
fuzz: ## Fuzz the control decoder and the rule compiler for FUZZTIME each (default 10s).
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeControl$$' -fuzztime=$(FUZZTIME) ./controls/
	$(GO) test -run='^$$' -fuzz='^FuzzCompileRule$$' -fuzztime=$(FUZZTIME) ./controls/

.PHONY: bench
bench: ## Run the benchmarks on one core with memory figures.
	$(GO) test -run='^$$' -bench=. -benchmem -cpu=1 -benchtime=3x ./controls/ ./reports/...

.PHONY: golden
golden: ## Rewrite golden files after an intended output change (review the diff).
	$(GO) test ./reports/... -run Golden -update

.PHONY: vet
vet: ## Run go vet.
	$(GO) vet $(PKGS)

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
