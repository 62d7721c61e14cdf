#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang and runs each one on its seed corpus.
#
#   scripts/fuzz.sh [SECONDS]          build, then run every target SECONDS each (default 60)
#   scripts/fuzz.sh --build            only build
#   scripts/fuzz.sh --run TARGET SECS  run one built target (what ctest's `fuzz` tests call)
#
# FUZZ_BUILD_DIR (default build/fuzz) holds the build, the corpus each run grows (corpus/TARGET,
# seeded from fuzz/corpus/TARGET, which is never written to) and crash reproducers
# (artifacts/TARGET/). A finding ends the run with a non-zero status and the reproducer's path:
# replay it with `FUZZ_BUILD_DIR/TARGET FILE`, fix the parser, add a unit test, and commit the
# file to fuzz/corpus/TARGET/.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${FUZZ_BUILD_DIR:-$repo_root/build/fuzz}"
jobs="${FUZZ_BUILD_JOBS:-$(nproc)}"

build() {
  local compiler="${FUZZ_CXX:-$(command -v clang++ || command -v clang++-14 || true)}"
  if [[ -z "$compiler" ]]; then
    echo "fuzz: clang++ not found (scripts/setup.sh --with-tests installs clang and libclang-rt-14-dev)" >&2
    exit 1
  fi
  local launcher=()
  command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$repo_root/fuzz" -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER="$compiler" \
    "${launcher[@]}" >/dev/null
  cmake --build "$build_dir" --parallel "$jobs"
}

run() {
  local target="$1" seconds="$2"
  local seeds="$repo_root/fuzz/corpus/$target"
  local corpus="$build_dir/corpus/$target" artifacts="$build_dir/artifacts/$target/"
  mkdir -p "$corpus" "$artifacts"
  echo "fuzz: $target for ${seconds}s" >&2
  # -timeout: one input taking longer than 10 s is a finding (a parser must stay fast on anything);
  # -rss_limit_mb: so is using more than 2 GiB.
  # FUZZ_SEED (set by the ctest runs) fixes libFuzzer's random choices, so the suite's bounded run
  # explores the same inputs every time and a commit passes or fails the same way; the longer runs
  # of this script without it keep exploring new ground.
  "$build_dir/$target" ${FUZZ_SEED:+-seed="$FUZZ_SEED"} -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" "$seeds"
}

case "${1:-}" in
  --build) build ;;
  --run) run "$2" "$3" ;;
  *)
    seconds="${1:-60}"
    build
    status=0
    while read -r target; do
      run "$target" "$seconds" || status=1
    done <"$build_dir/targets.txt"
    exit "$status"
    ;;
esac
