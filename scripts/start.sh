#!/usr/bin/env bash
# Sets benchtop up (the packages running it needs, the server built without the test suite) and
# starts the HTTP server on 127.0.0.1:8765 with its data under ${XDG_DATA_HOME:-~/.local/share}/benchtop.
# Extra arguments go to `benchtop serve`.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$repo_root/scripts/setup.sh"
exec "${BUILD_DIR:-$repo_root/build}/benchtop" serve "$@"
