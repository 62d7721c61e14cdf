// TEST DOUBLE: a CommandRunner that runs `/bin/sh -c` directly on the host, in the project's
// workspace directory, with no sandbox and no limits. Only for unit tests of tools that take a
// CommandRunner; the server itself always runs commands in the project's container.
#pragma once

#include <stdio.h>
#include <sys/wait.h>

#include <chrono>
#include <string>

#include "server/process/command_runner.h"
#include "server/workspace/workspace.h"
#include "server/workspace/workspace_provider.h"

namespace benchtop::testing {

class HostCommandRunner : public CommandRunner {
 public:
  explicit HostCommandRunner(WorkspaceProvider& workspaces) : workspaces_(workspaces) {}

  Result<ExecResult> run(const std::optional<std::string>& project, const ExecRequest& request,
                         const CancellationToken&, const OutputSink&) override {
    auto workspace = workspaces_.workspace(project);
    if (!workspace) return workspace.take_error();
    std::string script = "cd " + quote((*workspace)->root().string()) + " && ";
    for (const auto& [name, value] : request.env) script += name + "=" + quote(value) + " ";
    script += "/bin/sh -c " + quote(request.command) + " 2>&1 </dev/null";
    const auto start = std::chrono::steady_clock::now();
    FILE* pipe = ::popen(script.c_str(), "r");
    if (!pipe) return Error::make("popen failed");
    ExecResult result;
    char buffer[4096];
    size_t n = 0;
    while ((n = ::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.stdout_text.append(buffer, n);
    const int status = ::pclose(pipe);
    result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    ++runs;
    last_command = request.command;
    return result;
  }

  int runs = 0;
  std::string last_command;

 private:
  static std::string quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }
  WorkspaceProvider& workspaces_;
};

}  // namespace benchtop::testing
