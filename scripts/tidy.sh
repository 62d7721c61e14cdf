#!/usr/bin/env bash
# Runs clang-tidy with the committed .clang-tidy over every translation unit of the product
# (common/, transport/, server/, tools/, app/), using the main build's compile_commands.json.
# Exits non-zero on any finding (WarningsAsErrors). About 8 s of CPU per file: not part of ctest.
#
#   scripts/tidy.sh [path-regex]   e.g. scripts/tidy.sh 'server/workspace/'
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$repo_root/build}"
filter="${1:-^$repo_root/(common|transport|server|tools|app)/.*\.cpp$}"
if [[ ! -f "$build_dir/compile_commands.json" ]]; then
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
fi
run-clang-tidy -quiet -p "$build_dir" -j "$(nproc)" "$filter"
