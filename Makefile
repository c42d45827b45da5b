# SPDX-FileCopyrightText: 2026 procedo contributors
# SPDX-License-Identifier: EUPL-1.2
#
# make run     build and start the demo on :8080 (SQLite under ./data)
# make test    all tests: SQLite (with -race), then PostgreSQL and the browser
#              suite when available, saying SKIPPED when not
# make check   gofmt, go vet, golangci-lint (if installed), make test
# `make help` lists every target.

SHELL := bash
.DEFAULT_GOAL := build

GO  ?= go
NPM ?= npm

# The PostgreSQL server the PostgreSQL suite uses; the store test helper
# creates and drops its own databases on it (PROCEDO_TEST_DB, see testkit).
PROCEDO_TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export PROCEDO_TEST_POSTGRES_URL

# PG_SUITE and BROWSER_SUITE say what `make test` does with the optional
# suites: auto runs each one when it can (PostgreSQL answers, chromium is
# installed) and prints SKIPPED otherwise; skip leaves it out. .ci/run sets
# both to skip because it runs them next, strictly, as test-pg and test-browser.
PG_SUITE      ?= auto
BROWSER_SUITE ?= auto

CHROMIUM ?= /usr/bin/chromium

# Packages to test; narrow it while working, e.g. make test PKGS=./web/...
PKGS ?= ./...

# Stamps: npm ci writes node_modules/.package-lock.json; copy-assets.sh
# writes the vendor stamp (hidden from go:embed by its leading dot).
NODE_STAMP   := node_modules/.package-lock.json
VENDOR_STAMP := web/static/vendor/bootstrap-italia/.stamp

GO_TEST_SQLITE  := $(GO) test -race -count=1 -skip '^TestBrowser' $(PKGS)
# -p 1: the packages share one PostgreSQL server and the machine has 2 cores.
# Browser tests check the UI, not the database, so they run once, in test-browser.
GO_TEST_PG      := PROCEDO_TEST_DB="$$PROCEDO_TEST_POSTGRES_URL" $(GO) test -count=1 -p 1 -skip '^TestBrowser' $(PKGS)
GO_TEST_BROWSER := PROCEDO_TEST_BROWSER=1 $(GO) test -count=1 -run '^TestBrowser' $(PKGS)

# show prints a command inside double quotes in a recipe, without expanding it.
show = $(subst $$,\$$,$(subst ",\",$(1)))

.PHONY: help assets build run test test-pg test-browser check fmt-check vet lint clean distclean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

assets: $(VENDOR_STAMP) ## install npm packages if needed and copy Bootstrap Italia into web/static/vendor

$(NODE_STAMP): package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

$(VENDOR_STAMP): $(NODE_STAMP) scripts/copy-assets.sh
	@bash scripts/copy-assets.sh

build: assets ## build bin/procedo
	$(GO) build -o bin/procedo ./cmd/procedo

run: build ## run the demo on :8080 with data under ./data
	./bin/procedo demo --addr :8080 --data ./data

test: assets ## SQLite suite with -race; PostgreSQL and browser suites when available
	@set -eo pipefail; \
	echo "== SQLite suite"; \
	echo "$(call show,$(GO_TEST_SQLITE))"; \
	$(GO_TEST_SQLITE); \
	sqlite="SQLite suite:     passed"; \
	echo "== PostgreSQL suite"; \
	if [[ "$(PG_SUITE)" == skip ]]; then \
		pg="PostgreSQL suite: not run here (PG_SUITE=skip; make test-pg runs it)"; \
	elif msg=$$(bash scripts/pg-check.sh); then \
		echo "$$msg"; \
		echo "$(call show,$(GO_TEST_PG))"; \
		$(GO_TEST_PG); \
		pg="PostgreSQL suite: passed"; \
	else \
		pg="PostgreSQL suite: SKIPPED: $$msg (make test-pg fails instead of skipping)"; \
	fi; \
	echo "== Browser suite"; \
	if [[ "$(BROWSER_SUITE)" == skip ]]; then \
		br="Browser suite:    not run here (BROWSER_SUITE=skip; make test-browser runs it)"; \
	elif [[ -x "$(CHROMIUM)" ]]; then \
		echo "$(call show,$(GO_TEST_BROWSER))"; \
		$(GO_TEST_BROWSER); \
		br="Browser suite:    passed"; \
	else \
		br="Browser suite:    SKIPPED: $(CHROMIUM) is not installed (make test-browser installs it)"; \
	fi; \
	echo "== make test summary"; \
	printf '%s\n' "$$sqlite" "$$pg" "$$br"

test-pg: assets ## PostgreSQL suite; fails if the server does not answer
	@bash scripts/pg-check.sh --start || { echo "make test-pg: PostgreSQL is required" >&2; exit 1; }
	$(GO_TEST_PG)

test-browser: assets ## install Debian chromium if missing, then run the TestBrowser* tests
	@bash scripts/install-chromium.sh
	$(GO_TEST_BROWSER)

check: fmt-check vet lint test ## everything to run before pushing

fmt-check: ## fail if gofmt would change a file
	@files=$$(find . -name '*.go' -not -path './node_modules/*' -not -path './.git/*' -print0 | xargs -0 gofmt -l); \
	if [[ -n "$$files" ]]; then echo "gofmt needed on:"; echo "$$files"; exit 1; fi

vet: ## go vet
	$(GO) vet ./...

lint: ## golangci-lint with .golangci.yml, when installed
	@if command -v golangci-lint >/dev/null 2>&1; then golangci-lint run ./...; \
	else echo "*** lint SKIPPED: golangci-lint is not installed"; fi

clean: ## remove build outputs and the copied vendor files (keeps node_modules and ./data)
	rm -rf bin web/static/vendor/bootstrap-italia web/static/vendor/.bootstrap-italia.*
	rm -f coverage.out cover.out coverage.html *.coverprofile

distclean: clean ## clean, and remove node_modules
	rm -rf node_modules
