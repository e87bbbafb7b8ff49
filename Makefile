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

.PHONY: build test test-go test-php lint deps bench demo clean

build:
	go build -ldflags "-X main.version=$(VERSION)" -o bin/smid ./daemon

deps:
	@bash scripts/deps.sh

lint:
	@unformatted=$$(gofmt -l daemon internal migrations); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...
	@find wpplugin scripts -name '*.php' -print0 | xargs -0 -n1 php -l >/dev/null

# The plugin's PHPUnit suite, then every Go test; internal/devtools/e2e drives the
# whole product in headless Chromium with the bin/smid just built.
# The private MariaDB is stopped when the tests end, pass or fail
# (scripts/with-mariadb.sh); the tests stop the servers they start.
test: deps lint build
	@bash scripts/with-mariadb.sh $(TEST_DB) bash -c 'bash scripts/wp/test.sh && \
	  SMI_SMID_BIN="$(CURDIR)/bin/smid" go test -race -count=1 -timeout 20m ./...'

bench: deps build
	@bash scripts/with-mariadb.sh $(VAR)/bench-db bash -c 'go run ./internal/devtools/bench/cmd/smibench --dsn "$$SMI_TEST_DSN" --smid bin/smid --out docs/benchmarks.md && \
	  go run ./internal/devtools/bench/wpscreen/cmd/wpscreen --socket "$$SMI_DB_SOCKET" --smid bin/smid --out docs/benchmarks.md && \
	  go test -run XXX -bench . -benchtime 1x -timeout 60m ./internal/devtools/bench/pipelinebench/'
	@# The pipeline and admin figures print as benchmark metrics; docs/benchmarks.md records a run of them.

demo: deps build
	@bash scripts/demo.sh

clean:
	rm -rf bin
	-bash scripts/mariadb.sh stop $(TEST_DB)
