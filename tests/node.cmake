# Tests that drive the built binary with the official MCP clients from npm, pinned in
# tests/package.json and installed by tests/install-node-clients.sh (scripts/test.sh runs it).
# They are always registered, because the clients are installed after configuring; each one
# reports SKIPPED (exit 77) at run time when tests/node_modules is absent.

set(BENCHTOP_NODE_TESTS_DIR ${CMAKE_CURRENT_SOURCE_DIR})
set(BENCHTOP_NODE_MODULES ${BENCHTOP_NODE_TESTS_DIR}/node_modules)
# Node 22 from the 'node' package: the conformance CLI needs it, and one runtime for all is simpler.
set(BENCHTOP_NODE ${BENCHTOP_NODE_MODULES}/node/bin/node)
set(BENCHTOP_WITH_NODE_CLIENTS ${BENCHTOP_NODE_TESTS_DIR}/clients/with-node-clients.sh
    ${BENCHTOP_NODE_TESTS_DIR})

foreach(transport stdio http)
  add_test(NAME sdk_client_${transport}
    COMMAND ${BENCHTOP_WITH_NODE_CLIENTS}
      ${BENCHTOP_NODE} --test-reporter=spec ${BENCHTOP_NODE_TESTS_DIR}/clients/sdk_client_test.mjs
      --transport ${transport} --binary $<TARGET_FILE:benchtop>)
endforeach()

set(BENCHTOP_RUN_CONFORMANCE ${BENCHTOP_WITH_NODE_CLIENTS}
    ${BENCHTOP_NODE_TESTS_DIR}/clients/run-conformance.sh --binary $<TARGET_FILE:benchtop>
    --node ${BENCHTOP_NODE})

# 2025-06-18 / 2025-11-25 (stateful) with the stable suite. The product registers none of the suite's
# fixture tools/prompts/resources, so the baseline lists exactly the fixture-dependent scenarios.
add_test(NAME conformance_2025
  COMMAND ${BENCHTOP_RUN_CONFORMANCE}
    --cli ${BENCHTOP_NODE_MODULES}/@modelcontextprotocol/conformance/dist/index.js
    --baseline ${BENCHTOP_NODE_TESTS_DIR}/clients/conformance-2025-baseline.yml
    -- --suite all)

# 2026-07-28 (stateless) with the alpha suite: exactly the scenarios that revision requires, with
# the fixture-dependent scenarios and checks in the baseline.
add_test(NAME conformance_2026
  COMMAND ${BENCHTOP_RUN_CONFORMANCE}
    --cli ${BENCHTOP_NODE_MODULES}/conformance-next/dist/index.js
    --baseline ${BENCHTOP_NODE_TESTS_DIR}/clients/conformance-2026-baseline.yml
    -- --requirements 2026-07-28)

# Mcp-Method / Mcp-Name header validation (SEP-2243) is generic but the 2026-07-28 requirement set
# leaves it unscored (pending upstream), so it gets its own gate.
add_test(NAME conformance_2026_headers
  COMMAND ${BENCHTOP_RUN_CONFORMANCE}
    --cli ${BENCHTOP_NODE_MODULES}/conformance-next/dist/index.js
    -- --scenario http-header-validation)

# The conformance fixture (tests/conformance/): the same protocol core and transport with every
# tool, prompt and resource the suites call by name. No expected failures anywhere.
set(BENCHTOP_RUN_FIXTURE_CONFORMANCE ${BENCHTOP_WITH_NODE_CLIENTS}
    ${BENCHTOP_NODE_TESTS_DIR}/clients/run-conformance.sh
    --fixture $<TARGET_FILE:benchtop_conformance_fixture> --node ${BENCHTOP_NODE})
set(BENCHTOP_CONFORMANCE_NEXT ${BENCHTOP_NODE_MODULES}/conformance-next/dist/index.js)
# 0.1.16, all 32 scenarios (active and pending).
add_test(NAME conformance_fixture_2025
  COMMAND ${BENCHTOP_RUN_FIXTURE_CONFORMANCE}
    --cli ${BENCHTOP_NODE_MODULES}/@modelcontextprotocol/conformance/dist/index.js
    -- --suite all)
# The alpha line: each revision's requirement set (which also runs the unscored core and
# extension scenarios) and the whole suite, all with no failed check.
add_test(NAME conformance_fixture_2025_next
  COMMAND ${BENCHTOP_RUN_FIXTURE_CONFORMANCE} --cli ${BENCHTOP_CONFORMANCE_NEXT}
    -- --requirements 2025-11-25)
add_test(NAME conformance_fixture_2026
  COMMAND ${BENCHTOP_RUN_FIXTURE_CONFORMANCE} --cli ${BENCHTOP_CONFORMANCE_NEXT}
    -- --requirements 2026-07-28)
add_test(NAME conformance_fixture_next_all
  COMMAND ${BENCHTOP_RUN_FIXTURE_CONFORMANCE} --cli ${BENCHTOP_CONFORMANCE_NEXT}
    -- --suite all)
set(BENCHTOP_FIXTURE_TESTS conformance_fixture_2025 conformance_fixture_2025_next
    conformance_fixture_2026 conformance_fixture_next_all)

# An operator's tool selection (--toolsets, --read-only) as the SDK client sees it over stdio.
add_test(NAME toolsets_stdio
  COMMAND ${BENCHTOP_WITH_NODE_CLIENTS}
    ${BENCHTOP_NODE} --test-reporter=spec ${BENCHTOP_NODE_TESTS_DIR}/clients/toolsets_test.mjs
    --binary $<TARGET_FILE:benchtop>)
set_tests_properties(toolsets_stdio PROPERTIES SKIP_RETURN_CODE 77 LABELS node TIMEOUT 120)

set_tests_properties(sdk_client_stdio sdk_client_http conformance_2025 conformance_2026
    conformance_2026_headers ${BENCHTOP_FIXTURE_TESTS}
  PROPERTIES SKIP_RETURN_CODE 77 LABELS node)
set_tests_properties(${BENCHTOP_FIXTURE_TESTS} PROPERTIES TIMEOUT 900)
set_tests_properties(sdk_client_stdio sdk_client_http PROPERTIES TIMEOUT 120)
set_tests_properties(conformance_2025 conformance_2026 conformance_2026_headers
  PROPERTIES TIMEOUT 900)

# The chat page in Debian's headless Chromium against the built binary and a scripted model
# (tests/clients/scripted_llm.mjs). Skipped when Chromium or the npm packages are missing. The
# screenshot goes to the build's test artefacts directory.
set(BENCHTOP_TEST_ARTIFACTS ${CMAKE_BINARY_DIR}/test-artifacts)
add_test(NAME chat_page_chromium
  COMMAND ${BENCHTOP_WITH_NODE_CLIENTS}
    ${BENCHTOP_NODE} --test-reporter=spec ${BENCHTOP_NODE_TESTS_DIR}/clients/chat_page_test.mjs
    --binary $<TARGET_FILE:benchtop> --artifacts ${BENCHTOP_TEST_ARTIFACTS})
add_test(NAME preview_chromium
  COMMAND ${BENCHTOP_WITH_NODE_CLIENTS}
    ${BENCHTOP_NODE} --test-reporter=spec ${BENCHTOP_NODE_TESTS_DIR}/clients/preview_chromium_test.mjs
    --binary $<TARGET_FILE:benchtop> --artifacts ${BENCHTOP_TEST_ARTIFACTS})
add_test(NAME chat_cli
  COMMAND ${BENCHTOP_WITH_NODE_CLIENTS}
    ${BENCHTOP_NODE} --test-reporter=spec ${BENCHTOP_NODE_TESTS_DIR}/clients/chat_cli_test.mjs
    --binary $<TARGET_FILE:benchtop>)
set_tests_properties(chat_page_chromium preview_chromium chat_cli PROPERTIES SKIP_RETURN_CODE 77 LABELS node TIMEOUT 180)
