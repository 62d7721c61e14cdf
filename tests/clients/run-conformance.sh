#!/usr/bin/env bash
# Runs the official MCP conformance suite against a fresh `benchtop serve` on a free loopback port.
#
#   run-conformance.sh --binary build/benchtop --node NODE --cli CONFORMANCE_JS \
#       [--baseline EXPECTED_FAILURES.yml] -- <arguments for `conformance server`>
#   run-conformance.sh --fixture build/tests/benchtop_conformance_fixture --node NODE --cli ... -- ...
#
# --fixture starts the conformance fixture server (tests/conformance/) instead of `benchtop serve`.
# --scored (with --requirements R): pass iff the suite exits 0, i.e. no failure in a scenario that
# revision scores; the unscored scenarios it also runs (extensions, pending) are only reported.
# The server gets its own temporary data directory and is stopped on exit. `--url` is added to the
# suite's arguments. Without --baseline the run fails unless the suite exits 0 and its closing
# "Total: N passed, M failed" line shows M = 0. With --baseline the suite's own baseline check decides
# (a scenario outside the baseline that fails or warns, or a baseline entry that now passes, fails
# the run); the Total line then counts the expected failures too and is only reported.
set -euo pipefail

binary="" fixture="" node="" cli="" baseline="" scored=0
while (($#)); do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --fixture) fixture="$2"; shift 2 ;;
    --scored) scored=1; shift ;;
    --node) node="$2"; shift 2 ;;
    --cli) cli="$2"; shift 2 ;;
    --baseline) baseline="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "run-conformance: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [[ -z "$binary$fixture" || -z "$node" || -z "$cli" ]]; then
  echo "usage: run-conformance.sh --binary B|--fixture F --node N --cli JS [--baseline Y] -- SUITE_ARGS..." >&2
  exit 2
fi

scratch="$(mktemp -d "${TMPDIR:-/tmp}/benchtop-conformance.XXXXXX")"
server_pid="" drain_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n "$drain_pid" ]]; then wait "$drain_pid" 2>/dev/null || true; fi
  # A server run as root mounts each managed workspace's disk image under its data directory.
  if [[ "$(id -u)" == 0 ]]; then
    awk -v dir="$scratch/" 'index($5, dir) == 1 { print $5 }' /proc/self/mountinfo |
      sort -r | xargs -r -n1 umount -l
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

# The server announces its address on stderr; read it through a FIFO as it is written, then keep
# draining the FIFO into a log so the server never blocks on a full pipe.
mkfifo "$scratch/stderr"
mkdir "$scratch/data"
if [[ -n "$fixture" ]]; then
  "$fixture" --listen 127.0.0.1:0 2>"$scratch/stderr" &
else
  "$binary" serve --listen 127.0.0.1:0 --data-dir "$scratch/data" 2>"$scratch/stderr" &
fi
server_pid=$!
exec 3<"$scratch/stderr"
url=""
while IFS= read -r -t 20 line <&3; do
  printf '%s\n' "$line" >>"$scratch/server.log"
  if [[ "$line" =~ listening\ on\ (http://[^[:space:]]+/mcp) ]]; then
    url="${BASH_REMATCH[1]}"
    break
  fi
done
if [[ -z "$url" ]]; then
  echo "run-conformance: the server did not print 'listening on http://...' within 20 s; its stderr:" >&2
  cat "$scratch/server.log" >&2
  exit 1
fi
cat <&3 >>"$scratch/server.log" &
drain_pid=$!
exec 3<&-

echo "run-conformance: $("$node" "$cli" --version) against $url"
# Per-check results go to a directory so failures can be listed with their messages below; the
# suite's own summary names only the scenarios.
suite_args=("$@" --url "$url" --output-dir "$scratch/results")
if [[ -n "$baseline" ]]; then suite_args+=(--expected-failures "$baseline"); fi

status=0
"$node" "$cli" server "${suite_args[@]}" >"$scratch/suite.log" 2>&1 || status=$?
cat "$scratch/suite.log"

# Every check that failed or warned, with its message (the suite's summary shows only counts).
"$node" --input-type=module - "$scratch/results" <<'EOF_NODE' || true
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
const dir = process.argv[2];
const lines = [];
for (const entry of readdirSync(dir).sort()) {
  let checks;
  try { checks = JSON.parse(readFileSync(path.join(dir, entry, 'checks.json'), 'utf8')); } catch { continue; }
  const scenario = entry.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
  for (const check of checks) {
    if (check.status !== 'FAILURE' && check.status !== 'WARNING') continue;
    const message = (check.errorMessage ?? '').replace(/\s+/g, ' ').slice(0, 300);
    lines.push(`  ${check.status.padEnd(7)} ${scenario}:${check.id} - ${message}`);
  }
}
if (lines.length) console.log(`\nChecks that failed or warned:\n${lines.join('\n')}`);
EOF_NODE

# A suite run closes with "Total: N passed, M failed"; a single --scenario run with "Passed: N/T, M failed".
total_line="$(grep -E '^(Total: [0-9]+ passed|Passed: [0-9]+/[0-9]+), [0-9]+ failed' "$scratch/suite.log" | tail -n 1 || true)"
failed="$(sed -nE 's/^.*, ([0-9]+) failed.*/\1/p' <<<"$total_line")"

if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "run-conformance: the server died during the run; its stderr:" >&2
  cat "$scratch/server.log" >&2
  exit 1
fi

if [[ -n "$baseline" ]]; then
  if ((status != 0)); then
    echo "run-conformance: FAILED against the baseline $(basename "$baseline") (suite exit $status; $total_line)" >&2
    exit 1
  fi
  echo "run-conformance: passed against the baseline $(basename "$baseline") ($total_line)"
  exit 0
fi
if ((scored)); then
  if ((status != 0)); then
    echo "run-conformance: FAILED: a scored scenario failed (suite exit $status; $total_line)" >&2
    exit 1
  fi
  echo "run-conformance: every scored scenario passed ($total_line)"
  exit 0
fi
if [[ -z "$total_line" ]]; then
  echo "run-conformance: the suite printed no 'Total:' (or 'Passed:') line (exit $status)" >&2
  exit 1
fi
if ((status != 0 || failed != 0)); then
  echo "run-conformance: FAILED ($total_line, suite exit $status)" >&2
  exit 1
fi
echo "run-conformance: passed ($total_line)"
