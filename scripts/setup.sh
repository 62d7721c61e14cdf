#!/usr/bin/env bash
# Installs the Debian packages that building and running benchtop need, then configures and builds
# the server. Safe to run again: packages already present are not reinstalled.
#
#   scripts/setup.sh              runtime packages; builds the server (benchtop, its HTTP module and
#                                 sandbox program) into ./build, without the test suite
#   scripts/setup.sh --with-tests also the packages only the test suite needs (GoogleTest, pytest,
#                                 Go, Chromium, clang for fuzzing, Node.js); builds everything
#   BUILD_DIR=out scripts/setup.sh
#
# BENCHTOP_SETUP_TESTS=1 is the same as --with-tests.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$repo_root/build}"

with_tests="${BENCHTOP_SETUP_TESTS:-0}"
for argument in "$@"; do
  case "$argument" in
    --with-tests) with_tests=1 ;;
    *)
      echo "usage: $0 [--with-tests]" >&2
      exit 2
      ;;
  esac
done

# What building and running the server needs.
packages=(
  build-essential g++ cmake ninja-build pkg-config git ca-certificates
  libcpp-httplib-dev nlohmann-json3-dev libgit2-dev libboost1.81-dev libsqlite3-dev
  libssl-dev libpcre2-dev libpugixml-dev libseccomp-dev
  bubblewrap ripgrep passt nftables e2fsprogs mount universal-ctags shellcheck
)
# passt (pasta) and nftables: user-mode networking for sandboxes allowed network, and the rule
# that keeps them away from the host's own addresses (--allow-sandbox-network).
# e2fsprogs and mount: each managed workspace's disk cap is an ext4 image, loop-mounted.
# universal-ctags: the symbols code_outline and code_find report (run confined, fed over stdin).
# ShellCheck: code_check's shell linter (without it, code_check falls back to `bash -n`).

# What only the test suite needs.
test_packages=(
  libgtest-dev libgmock-dev
  python3-pytest golang-go
  chromium
  clang libclang-rt-14-dev
)
# libgtest-dev, libgmock-dev: the C++ unit and end-to-end tests.
# python3-pytest, golang-go: the test_run tests run pytest and go test projects in the sandbox.
# chromium: the chat page test drives the page in a real headless browser.
# clang, libclang-rt-14-dev: the libFuzzer targets in fuzz/ (scripts/fuzz.sh, ctest label `fuzz`).
if [[ "$with_tests" == 1 ]]; then
  packages+=("${test_packages[@]}")
  # Node.js runs the official MCP clients in the test suite; the machine image usually ships a
  # newer one than Debian's, so Debian's is only installed when none is present.
  command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]})); then
  sudo_cmd=()
  if [[ "$(id -u)" != 0 ]]; then sudo_cmd=(sudo); fi
  echo "setup: installing ${missing[*]}" >&2
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# pasta opens /dev/net/tun as the sandbox's unprivileged user. Debian's udev rules make it 0666
# (the kernel still demands CAP_NET_ADMIN in the namespace to create an interface); machines
# without udev may leave it 0600, which keeps sandbox network off.
if [[ -c /dev/net/tun && "$(stat -c %a /dev/net/tun)" != 666 ]]; then
  sudo_cmd=()
  if [[ "$(id -u)" != 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" chmod 0666 /dev/net/tun
fi

if [[ "$with_tests" == 1 ]]; then
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
    -DBENCHTOP_BUILD_TESTS=ON >/dev/null
  cmake --build "$build_dir" --parallel "$(nproc)"
else
  # Without GoogleTest the test suite cannot be configured; the server's targets need none of it.
  # (A build directory a test run configured is switched back on by the next --with-tests run.)
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
    -DBENCHTOP_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build_dir" --parallel "$(nproc)" --target benchtop
fi
