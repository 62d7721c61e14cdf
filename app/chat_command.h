// `benchtop chat --project P "prompt"`: one run of the built-in agent from the terminal, its text
// and tool steps printed as they stream. The conversation is kept as a chat thread.
#pragma once

#include "app/cli_options.h"
#include "app/services.h"

namespace benchtop {

// Returns the process exit code: 0 when the agent finished, 1 on failure, 130 when interrupted.
// Expects SIGINT/SIGTERM to be blocked (block_shutdown_signals): they cancel the run.
int run_chat_command(const CliOptions& options, Services& services);

}  // namespace benchtop
