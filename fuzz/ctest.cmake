# The fuzz targets as ctest tests (label `fuzz`): `fuzz_build` configures and builds fuzz/ with
# clang into <build>/fuzz, then every fuzz_<name> runs its target for BENCHTOP_FUZZ_SECONDS on its
# seed corpus. A crash, sanitizer report, timeout or memory blow-up fails the test, with the
# reproducer under <build>/fuzz/artifacts/. `scripts/fuzz.sh [SECONDS]` runs them for longer.
set(BENCHTOP_FUZZ_SECONDS 15 CACHE STRING "Seconds ctest runs each fuzz target")
set(benchtop_fuzz_script ${PROJECT_SOURCE_DIR}/scripts/fuzz.sh)
set(benchtop_fuzz_env FUZZ_BUILD_DIR=${CMAKE_BINARY_DIR}/fuzz)
# The suite's runs use a fixed seed: the same inputs every time, so a commit's result does not
# depend on chance (scripts/fuzz.sh without it explores further).
set(benchtop_fuzz_run_env ${benchtop_fuzz_env} FUZZ_SEED=1)

add_test(NAME fuzz_build COMMAND ${benchtop_fuzz_script} --build)
set_tests_properties(fuzz_build PROPERTIES ENVIRONMENT "${benchtop_fuzz_env}"
  FIXTURES_SETUP benchtop_fuzz_targets LABELS fuzz TIMEOUT 1800)

file(GLOB benchtop_fuzz_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/fuzz/fuzz_*.cpp)
foreach(source IN LISTS benchtop_fuzz_sources)
  get_filename_component(target ${source} NAME_WE)
  add_test(NAME ${target}
    COMMAND ${benchtop_fuzz_script} --run ${target} ${BENCHTOP_FUZZ_SECONDS})
  set_tests_properties(${target} PROPERTIES ENVIRONMENT "${benchtop_fuzz_run_env}"
    FIXTURES_REQUIRED benchtop_fuzz_targets LABELS fuzz TIMEOUT 300)
endforeach()
