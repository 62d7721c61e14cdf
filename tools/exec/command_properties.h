// Input-schema properties shared by the tools that run a command in a project's dev container
// (shell_exec, process_start, test_run), so they describe and bound them alike.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace benchtop {

// `command`: a non-empty shell command line of at most `max_length` characters.
nlohmann::json command_property(std::string description, int max_length = 100000);
// `cwd`: the directory to run in, relative to the workspace root.
nlohmann::json cwd_property();
// `env`: extra environment variables on top of the container's clean environment.
nlohmann::json env_property();

}  // namespace benchtop
