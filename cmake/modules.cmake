# One CMake library per source folder ("module"), each linking only the modules it may use.
#
#   benchtop_module(<name> DIR <folder> [USES <module>...] [LIBS <target>...]
#                   [PRIVATE_LIBS <target>...])
#
# USES names other modules: the library links them, and the include-rule check (ctest
# `include_rules`, scripts/check_includes.py) lets the folder include their headers and those of
# everything they use in turn, and nothing else of the project. A folder's subfolders are modules
# of their own. `benchtop_folder_rule` declares the same rule for a folder that is not a library
# (the executable's app/, the tests).
#
# The rules are written to ${CMAKE_BINARY_DIR}/module_rules.txt, one line per folder:
#   <folder> <used folder>...

set_property(GLOBAL PROPERTY BENCHTOP_MODULE_RULES "")

function(benchtop_folder_rule name)
  cmake_parse_arguments(RULE "" "DIR" "USES" ${ARGN})
  set(line "${RULE_DIR}")
  foreach(used IN LISTS RULE_USES)
    get_property(used_dir GLOBAL PROPERTY BENCHTOP_MODULE_DIR_${used})
    if(NOT used_dir)
      message(FATAL_ERROR "module ${name} uses ${used}, which is not declared before it")
    endif()
    string(APPEND line " ${used_dir}")
  endforeach()
  set_property(GLOBAL PROPERTY BENCHTOP_MODULE_DIR_${name} "${RULE_DIR}")
  set_property(GLOBAL APPEND PROPERTY BENCHTOP_MODULE_RULES "${line}")
endfunction()

function(benchtop_module name)
  cmake_parse_arguments(MODULE "" "DIR" "USES;LIBS;PRIVATE_LIBS" ${ARGN})
  benchtop_folder_rule(${name} DIR ${MODULE_DIR} USES ${MODULE_USES})
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${MODULE_DIR}/*.cpp)
  set(target benchtop_${name})
  set(used_targets "")
  foreach(used IN LISTS MODULE_USES)
    list(APPEND used_targets benchtop_${used})
  endforeach()
  if(sources)
    add_library(${target} STATIC ${sources})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} PUBLIC ${used_targets} ${MODULE_LIBS}
                          PRIVATE ${MODULE_PRIVATE_LIBS})
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} INTERFACE ${used_targets} ${MODULE_LIBS})
  endif()
endfunction()

function(benchtop_write_module_rules)
  get_property(rules GLOBAL PROPERTY BENCHTOP_MODULE_RULES)
  list(JOIN rules "\n" text)
  file(WRITE ${CMAKE_BINARY_DIR}/module_rules.txt "${text}\n")
endfunction()
