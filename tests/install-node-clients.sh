#!/usr/bin/env bash
# Installs the pinned npm test clients (tests/package-lock.json) into tests/node_modules when they are
# missing or older than the lockfile. Quiet on success; on failure prints npm's log and exits non-zero.
set -euo pipefail
tests_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stamp="$tests_dir/node_modules/.benchtop-installed"

if [[ -f "$stamp" && "$stamp" -nt "$tests_dir/package-lock.json" && "$stamp" -nt "$tests_dir/package.json" ]]; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "install-node-clients: npm is not installed (scripts/setup.sh --with-tests installs it)" >&2
  exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! (cd "$tests_dir" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
  echo "install-node-clients: 'npm ci' in $tests_dir failed:" >&2
  cat "$log" >&2
  exit 1
fi
# The conformance CLI needs Node 22; the 'node' package ships that binary.
if ! "$tests_dir/node_modules/node/bin/node" --version >/dev/null 2>&1; then
  echo "install-node-clients: tests/node_modules/node/bin/node is missing or does not run" >&2
  exit 1
fi
touch "$stamp"
