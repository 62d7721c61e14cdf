#include "server/process/host_program.h"

#include <filesystem>

#include "server/process/exec_loop.h"
#include "server/process/spawned_process.h"

namespace benchtop {

namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

Result<std::string> run_host_program(const std::vector<std::string>& argv,
                                     std::chrono::milliseconds timeout,
                                     const std::string& stdin_data) {
  if (argv.empty()) return Error::make("no program to run", "invalid_argument");
  SpawnOptions spawn;
  spawn.argv = argv;
  spawn.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"};
  auto process = SpawnedProcess::spawn(spawn);
  const std::string program = std::filesystem::path(argv.front()).filename().string();
  if (!process) {
    return Error::make(program + " could not be started: " + process.error().message,
                       "unavailable");
  }
  ExecRequest request;
  request.stdin_data = stdin_data;
  request.timeout = timeout;
  LocalCommand command(std::move(process).value());
  auto result = run_to_completion(command, request, CancellationToken(), {}, false);
  if (result.timed_out) {
    return Error::make(
        program + " did not finish within " + std::to_string(timeout.count() / 1000) + " s",
        "unavailable");
  }
  if (result.exit_code != 0) {
    const std::string why = trimmed(result.stderr_text);
    return Error::make(program + " failed: " + (why.empty() ? std::string("no message") : why),
                       "unavailable");
  }
  return std::move(result.stdout_text);
}

}  // namespace benchtop
