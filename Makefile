# Aftercare: `make run` serves the product, `make test` runs every test.
# Both install what is missing first; tools already present at the right
# version are kept. See README.md.

SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

CARGO_LEPTOS_VERSION := 0.3.11
# Must equal the wasm-bindgen pin in Cargo.toml / Cargo.lock.
WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
BINARYEN_VERSION := 132.0.0
TOOLS_DIR := $(HOME)/.cache/aftercare/tools
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
export CARGO_TARGET_DIR := $(TARGET_DIR)
# Our wasm-opt (binaryen from npm) comes before Debian's, which breaks hydration.
export PATH := $(TOOLS_DIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export LEPTOS_OUTPUT_NAME := aftercare
export LEPTOS_SITE_ROOT := target/site
export LEPTOS_SITE_PKG_DIR := pkg

.PHONY: run test build tools test-tools unit integration wasm e2e lint bench bench-smoke bench-import

## run: install what is missing, build in release mode, serve http://127.0.0.1:3000
run: tools build
	@LEPTOS_ENV=PROD LEPTOS_SITE_ADDR=127.0.0.1:3000 "$(TARGET_DIR)/release/aftercare" serve

## test: unit, integration on SQLite and Postgres, the benchmark's smoke run, WASM build, end-to-end in Chromium
test: tools test-tools lint unit integration bench-smoke wasm e2e
	@echo "make test: all suites passed"

build:
	cargo leptos build --release

tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VERSION)" || \
	  cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --ignore-rust-version --features no_downloads
	@wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)" || \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force
	@[ -x "$(TOOLS_DIR)/node_modules/.bin/wasm-opt" ] || \
	  npm install --no-audit --no-fund --prefix "$(TOOLS_DIR)" binaryen@$(BINARYEN_VERSION)
	@wasm-opt --version | grep -q "version $(firstword $(subst ., ,$(BINARYEN_VERSION)))" || \
	  { echo "wasm-opt on PATH is not binaryen $(BINARYEN_VERSION): $$(command -v wasm-opt)"; exit 1; }

test-tools:
	@command -v chromium >/dev/null || { apt-get update && apt-get install -y chromium; }
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  { apt-get update && apt-get install -y postgresql; }
	@[ -d end2end/node_modules/@playwright/test ] || (cd end2end && npm ci --no-audit --no-fund)

lint:
	cargo fmt --all -- --check
	cargo clippy -p app -p server --features app/ssr --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

unit:
	cargo test -p app --features ssr --lib
	cargo test -p server --lib --bins

## integration: the store and the app on a real SQLite file and a real Postgres
integration:
	bash server/tests/with-postgres.sh cargo test -p server --test integration -- --test-threads=2

## bench: the dashboards' benchmark on SQLite and a throwaway Postgres: 100k and 1M
## synthetic tickets (BENCH_TICKETS=100000,1000000,10000000 for more) imported
## through the CSV import, every dashboard loader's p50/p95, page SSR time to
## first byte, 32 clients for 30 s, and the sqlite3 shell's own .import of the same
## file for reference; writes docs/benchmarks.md (at 10M tickets the
## ticket import alone took ~2.5 min on SQLite and ~8.5 min on Postgres here;
## BENCH_BACKENDS=sqlite or postgres runs one of them)
bench:
	@command -v sqlite3 >/dev/null || { apt-get update && apt-get install -y sqlite3; }
	bash server/tests/with-postgres.sh env BENCH_MODE=full cargo bench -p server --bench dashboards

## bench-smoke: the same at 20k tickets (100k takes ~3 min to import on Postgres), few
## runs and a 3 s load, so the harness cannot rot; fails on errors or wrong answers,
## never on a missed budget; writes nothing
bench-smoke:
	bash server/tests/with-postgres.sh env BENCH_MODE=smoke cargo bench -p server --bench dashboards

## bench-import: a 100k- and a 1M-row helpdesk export through a mapping; rows/s and peak memory
bench-import:
	cargo bench -p server --bench import

## wasm: the release build, refused when the WASM is over its budget (gzip -9)
WASM_BUDGET_BYTES := 307200
wasm: build
	@wasm=target/site/pkg/$(LEPTOS_OUTPUT_NAME).wasm
	raw=$$(wc -c < "$$wasm"); gz=$$(gzip -9 -c "$$wasm" | wc -c)
	echo "WASM: $$raw B raw, $$gz B gzip -9 (budget $(WASM_BUDGET_BYTES) B)"
	[ "$$gz" -le $(WASM_BUDGET_BYTES) ] || { echo "the WASM is over its size budget"; exit 1; }

e2e: build
	bash end2end/run.sh "$(TARGET_DIR)/release/aftercare"
