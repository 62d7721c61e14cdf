// Reading the fields of a request, which comes from outside the sandbox but is still input to
// check: wrong types and out-of-range values become errors for the answer, never exceptions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/sandbox/supervisor/child.h"

namespace benchtop::supervisor {

// A string without NUL bytes (they would cut it short at the exec).
Result<std::string> required_string(const nlohmann::json& body, const char* name);

// An integer within [min, max]; optional_integer also accepts an absent field (or null).
Result<int64_t> required_integer(const nlohmann::json& body, const char* name, int64_t min,
                                 int64_t max);
Result<std::optional<int64_t>> optional_integer(const nlohmann::json& body, const char* name,
                                                int64_t min, int64_t max);

Result<bool> optional_bool(const nlohmann::json& body, const char* name, bool otherwise);

// `env`: an object of strings, as "NAME=value" entries for execve.
Result<std::vector<std::string>> environment(const nlohmann::json& body);

// The absolute directory for a `cwd` relative to the workspace ("" is the workspace itself).
Result<std::string> working_directory(const std::string& workspace_root, const std::string& cwd);

// What `run` and `start` share: {"command", "cwd", "env"}, as a spec for spawn() (its stdio and
// cgroup.procs descriptors left for the caller to fill in).
Result<SpawnSpec> command_spec(const nlohmann::json& body, const std::string& workspace_root,
                               const std::string& shell);

}  // namespace benchtop::supervisor
