// Runs one of the operator's own programs (nft, podman, mkfs.ext4, mount) on the host, outside any
// sandbox, to its end: a fixed PATH, no inherited environment, a deadline. Only benchtop chooses
// the arguments; nothing a model sends reaches them unparsed.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/result.h"

namespace benchtop {

// argv[0] is the program's absolute path.
// Returns its standard output when it exits 0; otherwise an error "<program> failed: <stderr>"
// with code "unavailable".
Result<std::string> run_host_program(const std::vector<std::string>& argv,
                                     std::chrono::milliseconds timeout,
                                     const std::string& stdin_data = {});

}  // namespace benchtop
