// Drives one started command to its end for shell_exec: feeds stdin, captures stdout and stderr
// (bounded, head and tail), streams output to a sink, and on timeout or cancellation kills the
// process tree with SIGKILL. Returns only once the command's status is known and its pipes are
// closed.
#pragma once

#include "common/cancellation.h"
#include "server/process/command_runner.h"
#include "server/process/running_command.h"

namespace benchtop {

ExecResult run_to_completion(RunningCommand& process, const ExecRequest& request,
                             const CancellationToken& cancellation, const OutputSink& on_output,
                             bool exit_codes_carry_signals);

}  // namespace benchtop
