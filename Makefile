# smid — the Sell My Images daemon. `make demo` runs it locally, `make test`
# runs every test; both install what they need first.
SHELL := /bin/bash
# scripts/deps.sh installs the Go that go.mod names here when the one on
# PATH is missing or older; it comes first on PATH.
GO_VERSION := $(shell awk '$$1 == "go" { print $$2; exit }' go.mod)
SMID_GO_ROOT ?= $(if $(filter 0,$(shell id -u)),/usr/local/lib/smid,$(HOME)/.local/lib/smid)/go$(GO_VERSION)
export PATH := $(SMID_GO_ROOT)/bin:$(PATH):/usr/sbin:/snap/bin:$(or $(shell go env GOPATH 2>/dev/null),$(HOME)/go)/bin
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
VAR := $(CURDIR)/.var
TEST_DB := $(VAR)/test-db

.PHONY: build test lint lint-go lint-php lint-deploy deps bench bench-check bench-baseline demo dist fuzz faults clean generate

build:
	go build -ldflags "-X main.version=$(VERSION)" -o bin/smid ./daemon

deps:
	@bash scripts/deps.sh

# Rewrites the lifecycle tables in docs/architecture.md from internal/job;
# a test fails when the committed document differs.
generate:
	go generate ./internal/job/

lint: lint-go lint-php
	@unformatted=$$(gofmt -l daemon internal migrations); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...
	@find wpplugin scripts -name '*.php' -print0 | xargs -0 -n1 php -l >/dev/null

# golangci-lint with .golangci.yml (staticcheck, errcheck, revive, gosec,
# govet, ineffassign, unused), the version scripts/deps.sh installs.
lint-go:
	@"$$(go env GOPATH)/bin/golangci-lint" version --short >/dev/null 2>&1 || bash scripts/deps.sh
	"$$(go env GOPATH)/bin/golangci-lint" run ./...

# The plugin's and scripts' PHP against wpplugin/phpcs.xml.dist: WordPress's
# coding standards as far as PHP_CodeSniffer's own sniffs express them
# (make deps installs Debian's php-codesniffer).
lint-php:
	@command -v phpcs >/dev/null || { echo "lint-php: phpcs not found; make deps installs php-codesniffer"; exit 1; }
	phpcs -q --standard=wpplugin/phpcs.xml.dist

# The plugin's PHPUnit suite, then every Go test; internal/devtools/e2e drives the
# whole product in headless Chromium with the bin/smid just built.
test: export SMI_DEPS_SEAWEEDFS := 1
# The private MariaDB is stopped when the tests end, pass or fail
# (scripts/with-mariadb.sh); the tests stop the servers they start.
test: deps lint build
	@bash scripts/with-mariadb.sh $(TEST_DB) bash -c 'bash scripts/wp/test.sh && \
	  SMI_SMID_BIN="$(CURDIR)/bin/smid" go test -race -count=1 -timeout 20m ./...'

# Release binaries: static, for linux/amd64 and linux/arm64, named with the
# version, with their SHA-256 sums in dist/SHA256SUMS.
DIST ?= dist
dist:
	@rm -rf $(DIST) && mkdir -p $(DIST)
	@for arch in amd64 arm64; do \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$$arch go build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" \
	    -o $(DIST)/smid-$(VERSION)-linux-$$arch ./daemon || exit 1; \
	done
	@cd $(DIST) && sha256sum smid-$(VERSION)-linux-* > SHA256SUMS && cat SHA256SUMS

# What ships beside the binary, checked by its own tools: the alert rules
# by promtool (check and unit tests; go install from the module proxy once,
# a large build), the release binaries built by make dist. The unit, the
# dashboard, the container files and the rules' metric names are checked
# by ./deploy's tests under make test as well.
PROMTOOL_VERSION := v0.316.0
lint-deploy: dist
	@command -v promtool >/dev/null || go install github.com/prometheus/prometheus/cmd/promtool@$(PROMTOOL_VERSION)
	promtool check rules deploy/prometheus-rules.yaml
	promtool test rules deploy/prometheus-rules.test.yaml
	SMI_DIST_DIR=$(CURDIR)/$(DIST) SMI_DIST_VERSION=$(VERSION) go test -count=1 -tags deploylint ./deploy/

# Every table in docs/benchmarks.md, from committed code (FORCE=1 runs on a
# dirty tree; the tables then say so in their git describe).
bench: deps build
	@if [ -z "$(FORCE)" ] && [ -n "$$(git status --porcelain --untracked-files=no)" ]; then \
	  echo "make bench: uncommitted changes; the figures must come from committed code (FORCE=1 to run anyway)"; exit 1; fi
	@sock=$$(bash scripts/mariadb.sh start $(VAR)/bench-db) && \
	  go run ./internal/devtools/bench/cmd/smibench --dsn "root@unix($$sock)/" --smid bin/smid --out docs/benchmarks.md
	@sock=$$(bash scripts/mariadb.sh start $(VAR)/bench-db) && \
	  go run ./internal/devtools/bench/wpscreen/cmd/wpscreen --socket "$$sock" --smid bin/smid --out docs/benchmarks.md
	@set -o pipefail; sock=$$(bash scripts/mariadb.sh start $(VAR)/bench-db) && \
	  SMI_TEST_DSN="root@unix($$sock)/" go test -run XXX -bench . -benchtime 1x -timeout 60m ./internal/devtools/bench/pipelinebench/ | \
	  go run ./internal/devtools/bench/cmd/pipetable --out docs/benchmarks.md

# The list's ratios on 100,000 jobs against docs/bench-baseline.json: fails
# when one falls more than 30% behind (says NOT CHECKED and passes when the
# load average is above twice the CPUs). bench-baseline records a new one.
# Both run beside a private MariaDB that is stopped when they end, unless
# it was running before (scripts/with-mariadb.sh); CI runs bench-check.
BENCH_CHECK = go run ./internal/devtools/bench/cmd/smibench --db smi_bench_check --jobs 100000 --runs 11 --export-runs 1 \
	  --smid bin/smid --baseline docs/bench-baseline.json --dsn "$$SMI_TEST_DSN"
bench-check: build
	@bash scripts/with-mariadb.sh $(VAR)/bench-check-db bash -c '$(BENCH_CHECK) --check'

bench-baseline: build
	@bash scripts/with-mariadb.sh $(VAR)/bench-check-db bash -c '$(BENCH_CHECK) --write-baseline'

# Each fuzz target for FUZZTIME, one after another (plain `go test` runs only
# their seed corpora in testdata/fuzz). FuzzDownload needs the private MariaDB.
# FUZZPARALLEL workers per target: 1 keeps a shared machine usable. A new
# input is shrunk for at most FUZZMINIMIZE, so the slower targets keep exploring.
FUZZTIME ?= 60s
FUZZPARALLEL ?= 1
FUZZMINIMIZE ?= 10s
FUZZ_TARGETS := pricing:FuzzQuote stripe:FuzzVerifyEvent stripe:FuzzEventObject \
	store:FuzzParseFilter store:FuzzCursor httpapi:FuzzParseList httpapi:FuzzCSVWriter \
	httpapi:FuzzDownload config:FuzzParseWPConfig config:FuzzWPConfigRoundTrip upscale:FuzzUpsamplerAnswer

fuzz: deps
	@sock=$$(bash scripts/mariadb.sh start $(TEST_DB)) && export SMI_TEST_DSN="root@unix($$sock)/" && failed="" && \
	  for t in $(FUZZ_TARGETS); do pkg=./internal/$${t%%:*}; fn=$${t##*:}; echo "== $$fn ($$pkg, $(FUZZTIME))"; \
	    go test -run='^$$' -fuzz="^$$fn\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) -parallel=$(FUZZPARALLEL) $$pkg || failed="$$failed $$fn"; \
	  done; \
	  if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed (the failing input is in that package's testdata/fuzz)"; exit 1; fi

# The fault suite in full: 20 kill -9 per pipeline step instead of the 5 that
# `make test` runs (see docs/reliability.md).
faults: deps build
	@set -o pipefail && sock=$$(bash scripts/mariadb.sh start $(TEST_DB)) && \
	  SMI_FAULTS_FULL=1 SMI_TEST_DSN="root@unix($$sock)/" SMI_SMID_BIN="$(CURDIR)/bin/smid" \
	  go test -count=1 -v -timeout 60m ./internal/devtools/faults/ | grep -E '^(=== RUN|--- |    [a-z_]+_test.go|PASS|FAIL|ok)'

demo: deps build
	@bash scripts/demo.sh

clean:
	rm -rf bin $(DIST)
	-bash scripts/mariadb.sh stop $(TEST_DB)
