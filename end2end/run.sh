#!/usr/bin/env bash
# End-to-end run: a fresh SQLite database with a small deterministic demo,
# the release server on a dedicated port, then Playwright in Chromium.
set -euo pipefail
cd "$(dirname "$0")"
binary=$1
port=${AFTERCARE_E2E_PORT:-3123}

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "port $port is taken: a stale server would be tested instead of this build" >&2
  exit 1
fi

dir=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

export DATABASE_URL="sqlite://$dir/e2e.db"
export AFTERCARE_DEMO=0 LEPTOS_ENV=PROD LEPTOS_SITE_ADDR="127.0.0.1:$port"
export LEPTOS_OUTPUT_NAME=aftercare LEPTOS_SITE_ROOT=../target/site LEPTOS_SITE_PKG_DIR=pkg
"$binary" demo --seed 42 --months 14 --end 2025-10 --scale 0.15

"$binary" serve >"$dir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null || { cat "$dir/server.log"; exit 1; }

AFTERCARE_URL="http://127.0.0.1:$port" npx playwright test
