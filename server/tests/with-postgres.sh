#!/usr/bin/env bash
# Runs a command with a throwaway Postgres on loopback:
# AFTERCARE_TEST_POSTGRES_URL points at it, and it is removed afterwards.
# The command gets its own TMPDIR, removed too: the tests' SQLite files and
# the benchmark's database live there and would otherwise pile up.
set -euo pipefail

bin_dir=$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb | tail -n1)")
dir=$(mktemp -d)
scratch=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_postgres=()
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$dir"
  as_postgres=(runuser -u postgres --)
fi

cleanup() {
  "${as_postgres[@]}" "$bin_dir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir" "$scratch"
}
trap cleanup EXIT

"${as_postgres[@]}" "$bin_dir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
"${as_postgres[@]}" "$bin_dir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
echo "throwaway Postgres on 127.0.0.1:$port"

export AFTERCARE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
export TMPDIR="$scratch"
"$@"
