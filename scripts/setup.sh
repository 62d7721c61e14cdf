#!/usr/bin/env bash
# Installs every Debian package that building, testing and sandboxing benchtop needs, then
# configures and builds it. Safe to run again: packages already present are not reinstalled.
#
#   scripts/setup.sh              install packages, configure, build (into ./build)
#   BUILD_DIR=out scripts/setup.sh
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$repo_root/build}"

packages=(
  build-essential g++ cmake ninja-build pkg-config git ca-certificates
  libcpp-httplib-dev nlohmann-json3-dev libgit2-dev libboost1.81-dev libsqlite3-dev
  libgtest-dev libgmock-dev libssl-dev libpcre2-dev libpugixml-dev libseccomp-dev
  python3-pytest golang-go shellcheck
  bubblewrap ripgrep passt nftables e2fsprogs mount universal-ctags
  chromium
  clang libclang-rt-14-dev
)
# passt (pasta) and nftables: user-mode networking for sandboxes allowed network, and the rule
# that keeps them away from the host's own addresses (--allow-sandbox-network).
# e2fsprogs and mount: each managed workspace's disk cap is an ext4 image, loop-mounted.
# universal-ctags: the symbols code_outline and code_find report (run confined, fed over stdin).
# shellcheck: code_check's shell linter (without it, code_check falls back to `bash -n`).
# chromium: the chat page test drives the page in a real headless browser.
# clang, libclang-rt-14-dev: the libFuzzer targets in fuzz/ (scripts/fuzz.sh, ctest label `fuzz`).
# Node.js runs the official MCP clients in the test suite; the machine image usually ships a newer
# one than Debian's, so Debian's is only installed when none is present.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

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

cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"
