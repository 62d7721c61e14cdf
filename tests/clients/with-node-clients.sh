#!/usr/bin/env bash
# Runs a test command that needs the pinned npm clients, or exits 77 (ctest's SKIP_RETURN_CODE for
# these tests) with the reason when tests/node_modules has not been installed.
#
#   with-node-clients.sh TESTS_DIR COMMAND [ARG]...
set -euo pipefail
tests_dir="$1"
shift
if [[ ! -x "$tests_dir/node_modules/node/bin/node" || ! -d "$tests_dir/node_modules/@modelcontextprotocol" ]]; then
  echo "SKIPPED: the npm test clients are not installed; run tests/install-node-clients.sh" >&2
  exit 77
fi
exec "$@"
