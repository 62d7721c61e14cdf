#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: packages (the test-only ones too), build, the pinned
# npm test clients, every test through ctest, then the C++ suites again under AddressSanitizer +
# UndefinedBehaviorSanitizer (scripts/sanitize.sh, its own build directory).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$repo_root/build}"
"$repo_root/scripts/setup.sh" --with-tests
if [[ -x "$repo_root/tests/install-node-clients.sh" ]]; then
  "$repo_root/tests/install-node-clients.sh"
fi
cd "$build_dir"
ctest --output-on-failure --parallel "$(nproc)" --timeout 600 "$@"
"$repo_root/scripts/sanitize.sh" asan
