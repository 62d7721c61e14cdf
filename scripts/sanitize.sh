#!/usr/bin/env bash
# Builds benchtop with sanitizers into its own build directory and runs the C++ suites (unit and
# end-to-end tests, the include rule) under them; the npm clients and fuzz targets run in the main
# build only.
#
#   scripts/sanitize.sh asan [ctest args...]   AddressSanitizer + UndefinedBehaviorSanitizer
#                                              (part of scripts/test.sh, so of CI)
#   scripts/sanitize.sh tsan [ctest args...]   ThreadSanitizer (the bubblewrap tests skip there:
#                                              the idmapped-workspace probe's forked child cannot
#                                              make its user namespace under the TSan runtime,
#                                              cause not yet known; the ASan run covers them)
#
# BUILD_DIR (default ./build-<kind>) chooses the build directory.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kind="${1:-}"
case "$kind" in
  asan)
    # -O0: a third less compile time than -O1, which keeps the build within CI's time on two cores.
    flags="-O0 -g1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
    export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
    export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$repo_root/scripts/lsan.supp}"
    ;;
  tsan)
    # Asio's fenced blocks use atomic_thread_fence, which ThreadSanitizer does not model (GCC
    # refuses it); Asio's scheduler synchronises with mutexes, which it does.
    flags="-O1 -g1 -fsanitize=thread -fno-omit-frame-pointer -DBOOST_ASIO_DISABLE_FENCED_BLOCK"
    export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"
    ;;
  *)
    echo "usage: $0 asan|tsan [ctest arguments...]" >&2
    exit 2
    ;;
esac
shift
build_dir="${BUILD_DIR:-$repo_root/build-$kind}"

# Shared C libraries and libstdc++: the sanitizer runtimes must see every allocation. Line tables
# only (-g1) for reports with file and line; assertions stay on (no NDEBUG).
cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Sanitize \
  -DBENCHTOP_STATIC_LIBS=OFF -DBENCHTOP_BUILD_BENCH=OFF -DBENCHTOP_LINK_HTTP_MODULE=ON \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" \
  -DCMAKE_SHARED_LINKER_FLAGS="$flags" -DCMAKE_MODULE_LINKER_FLAGS="$flags" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)" \
  --target benchtop benchtop_http benchtop_unit_tests benchtop_e2e_tests
cd "$build_dir"
ctest --output-on-failure --parallel "$(nproc)" --timeout 900 --label-exclude 'fuzz|node' "$@"
