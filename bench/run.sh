#!/usr/bin/env bash
# One command for the whole comparison: builds the harness and benchtop, writes the benchmark tree,
# installs the pinned peer server from npm, runs every measurement and prints the tables.
#
#   bench/run.sh                      everything, default settings
#   bench/run.sh --calls 200          extra arguments go to mcp_stdio_bench (see --help)
#   BENCH_SERVERS=server-filesystem bench/run.sh   only some servers (benchtop, server-filesystem,
#                                                  floor)
#   BENCH_COLD_START=1 bench/run.sh   also benchtop with a new --data-dir for every start
#
# Environment: BUILD_DIR (default ./build), BENCH_TREE (default $TMPDIR/benchtop-bench-tree),
# BENCH_RESULTS (default bench/results). Figures are printed and saved as JSON; nothing here fails
# on time.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$repo_root/build}"
# Outside the repository: ripgrep would otherwise apply the repository's own .gitignore to it.
tree="${BENCH_TREE:-${TMPDIR:-/tmp}/benchtop-bench-tree}"
results="${BENCH_RESULTS:-$repo_root/bench/results}"
servers="${BENCH_SERVERS:-benchtop server-filesystem floor}"
jobs="$(nproc)"
((jobs > 2)) && jobs=2

want() { [[ " $servers " == *" $1 "* ]]; }

echo "== build" >&2
if [[ ! -f "$build_dir/build.ninja" && ! -f "$build_dir/Makefile" ]]; then
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
targets=(mcp_stdio_bench bench_make_tree)
want benchtop && targets+=(benchtop)
want floor && targets+=(bench_floor_server)
cmake --build "$build_dir" --parallel "$jobs" --target "${targets[@]}"

echo "== tree" >&2
expected_version="$(sed -n 's/.*kTreeVersion = "\(.*\)";/\1/p' "$repo_root/bench/tree_layout.h")"
if [[ "$(cat "$tree/.bench-tree-version" 2>/dev/null)" != "$expected_version" ]]; then
  rm -rf "$tree"
  "$build_dir/bench/bench_make_tree" "$tree"
else
  echo "reusing $tree ($expected_version)" >&2
fi

server_args=()
if want server-filesystem; then
  echo "== peer: @modelcontextprotocol/server-filesystem (bench/package-lock.json)" >&2
  peer="$repo_root/bench/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js"
  if [[ ! -f "$peer" || "$repo_root/bench/package-lock.json" -nt "$repo_root/bench/node_modules" ]]; then
    (cd "$repo_root/bench" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  server_args+=(--server "server-filesystem=node $peer {tree}")
fi
if want benchtop; then
  # {state}: the data directory survives from one start to the next, as it does for a client that
  # restarts benchtop; {tmp} would measure a first-ever start (creating the SQLite store) each time.
  server_args+=(--server "benchtop=$build_dir/benchtop stdio --root {tree} --data-dir {state} --log-level error")
  if [[ -n "${BENCH_COLD_START:-}" ]]; then
    server_args+=(--server "benchtop/benchtop-first-start=$build_dir/benchtop stdio --root {tree} --data-dir {tmp} --log-level error")
  fi
fi
if want floor; then
  # The floor: a server that only makes a read's system calls (bench/floor_server_main.cpp).
  server_args+=(--server "floor=$build_dir/bench/bench_floor_server {tree}")
fi
rg_args=()
if command -v rg >/dev/null 2>&1; then rg_args=(--rg "$(command -v rg)"); fi

mkdir -p "$results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
echo "== measure (stderr of each server in $results/logs)" >&2
"$build_dir/bench/mcp_stdio_bench" --tree "$tree" "${rg_args[@]}" "${server_args[@]}" \
  --json "$results/bench-$stamp.json" --stderr-dir "$results/logs" "$@" |
  tee "$results/bench-$stamp.txt"
echo "saved $results/bench-$stamp.txt and .json" >&2
