#!/usr/bin/env bash
# The git comparison: builds the harness and benchtop, makes a small repository (30 commits of 40
# files, then 3 modified and 2 new files), installs the pinned @cyanheads/git-mcp-server from npm
# and measures git_status / git_log / git_diff calls/s on both servers in the same run.
#
#   bench/run-git.sh                  default settings
#   bench/run-git.sh --calls 200      extra arguments go to mcp_stdio_bench (see --help)
#
# Environment: BUILD_DIR (default ./build), BENCH_GIT_REPO (default $TMPDIR/benchtop-bench-git),
# BENCH_RESULTS (default bench/results). Nothing here fails on time.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$repo_root/build}"
repo="${BENCH_GIT_REPO:-${TMPDIR:-/tmp}/benchtop-bench-git}"
results="${BENCH_RESULTS:-$repo_root/bench/results}"
jobs="$(nproc)"
((jobs > 2)) && jobs=2

echo "== build" >&2
if [[ ! -f "$build_dir/build.ninja" && ! -f "$build_dir/Makefile" ]]; then
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build_dir" --parallel "$jobs" --target mcp_stdio_bench benchtop

echo "== repository $repo" >&2
rm -rf "$repo"
mkdir -p "$repo"
(
  cd "$repo"
  git init -q -b main
  git config user.name bench
  git config user.email bench@example.com
  mkdir -p src
  for commit in $(seq 1 30); do
    for file in $(seq 1 40); do
      if ((commit == 1 || file % 10 == commit % 10)); then
        seq 1 $((20 + file)) | sed "s/^/src\/file$file commit $commit line /" >"src/file$file.txt"
      fi
    done
    git add -A
    git commit -q -m "commit $commit"
  done
  for file in 1 2 3; do echo "changed in the work tree" >>"src/file$file.txt"; done
  echo "new file" >new-a.txt
  echo "another new file" >src/new-b.txt
)

echo "== peer: @cyanheads/git-mcp-server (bench/package-lock.json)" >&2
peer="$repo_root/bench/node_modules/@cyanheads/git-mcp-server/dist/index.js"
if [[ ! -f "$peer" || "$repo_root/bench/package-lock.json" -nt "$repo_root/bench/node_modules" ]]; then
  (cd "$repo_root/bench" && npm ci --no-audit --no-fund --loglevel=error)
fi

mkdir -p "$results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
echo "== measure (stderr of each server in $results/logs)" >&2
# The peer logs at error level only and does not try to sign anything, as benchtop.
MCP_LOG_LEVEL=error GIT_SIGN_COMMITS=false "$build_dir/bench/mcp_stdio_bench" --tree "$repo" \
  --workload git-status --workload git-log --workload git-diff \
  --server "benchtop=$build_dir/benchtop stdio --root {tree} --data-dir {state} --log-level error" \
  --server "git-mcp-server=node $peer" \
  --json "$results/bench-git-$stamp.json" --stderr-dir "$results/logs" "$@" |
  tee "$results/bench-git-$stamp.txt"
echo "saved $results/bench-git-$stamp.txt and .json" >&2
