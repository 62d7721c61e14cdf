#include <boost/describe/class.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "common/utf8.h"
#include "server/mcp/schema/type_schema.h"
#include "tools/common/output_budget.h"
#include "tools/common/workspace_args.h"
#include "tools/exec/command_properties.h"
#include "tools/exec/exec_tools.h"

namespace benchtop {
namespace {

using nlohmann::json;

constexpr int64_t kDefaultTimeoutMs = 120'000;
constexpr size_t kProgressChunk = 4096;

struct ShellResult {
  Nullable<int> exit_code;
  Nullable<int> signal;
  std::string stdout;
  std::string stderr;
  uint64_t stdout_elided_bytes = 0;
  uint64_t stderr_elided_bytes = 0;
  int64_t duration_ms = 0;
  bool timed_out = false;
  bool cancelled = false;
  static constexpr FieldDoc kFieldDocs[] = {
      {"exit_code", "Exit status; null when the command was killed by a signal."},
      {"signal",
       "Signal that killed the command (9 = SIGKILL: timeout, cancellation or the memory limit), "
       "else null."},
      {"stdout", "Standard output; over 512 bytes, its head and tail (the text has more)."},
      {"stderr", "Standard error, the same way."},
      {"stdout_elided_bytes", "Bytes of stdout left out of `stdout`."},
      {"stderr_elided_bytes", "Bytes of stderr left out of `stderr`."},
      {"duration_ms", "Wall-clock run time."},
      {"timed_out", "Killed because of timeout_ms."},
      {"cancelled", "Killed because the call was cancelled."}};
};
BOOST_DESCRIBE_STRUCT(ShellResult, (),
                      (exit_code, signal, stdout, stderr, stdout_elided_bytes, stderr_elided_bytes,
                       duration_ms, timed_out, cancelled))

// Where the rest of a long output is, for the marker that replaces its middle.
constexpr std::string_view kOutputHint =
    "redirect it to a file and read that with fs_read or fs_grep, or raise max_output_bytes";

// The text a model reads: the outcome, then stdout and stderr within the call's budget.
std::string render(const ExecResult& result, const std::string& stdout_text,
                   const std::string& stderr_text) {
  std::string text;
  if (result.timed_out) {
    text = "Timed out after " + std::to_string(result.duration.count()) +
           " ms; the whole process tree was killed.";
  } else if (result.cancelled) {
    text = "Cancelled; the whole process tree was killed.";
  } else if (result.exit_code) {
    text = "Exit code " + std::to_string(*result.exit_code) + " after " +
           std::to_string(result.duration.count()) + " ms.";
  } else if (result.signal) {
    text = "Killed by signal " + std::to_string(*result.signal) +
           (*result.signal == 9 ? " (SIGKILL: possibly the container's memory limit)" : "") +
           " after " + std::to_string(result.duration.count()) + " ms.";
  }
  if (!stdout_text.empty()) text += "\n--- stdout ---\n" + stdout_text;
  if (!stderr_text.empty()) text += "\n--- stderr ---\n" + stderr_text;
  return text;
}

// Forwards output as progress notifications, in chunks and at most every 100 ms, so a chatty
// command does not flood the client.
class ProgressForwarder {
 public:
  explicit ProgressForwarder(const ToolContext& context) : context_(context) {}

  void add(std::string_view stream, std::string_view bytes) {
    std::lock_guard lock(mutex_);
    seen_ += bytes.size();
    if (pending_.size() < kProgressChunk) {
      pending_.append(bytes.substr(0, kProgressChunk - pending_.size()));
    }
    last_stream_ = std::string(stream);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_sent_ >= std::chrono::milliseconds(100)) flush_locked(now);
  }
  void flush() {
    std::lock_guard lock(mutex_);
    flush_locked(std::chrono::steady_clock::now());
  }

 private:
  void flush_locked(std::chrono::steady_clock::time_point now) {
    if (pending_.empty()) return;
    context_.report_progress(static_cast<double>(seen_), std::nullopt,
                             valid_utf8("[" + last_stream_ + "] " + pending_));
    pending_.clear();
    last_sent_ = now;
  }

  const ToolContext& context_;
  std::mutex mutex_;
  std::string pending_;
  std::string last_stream_;
  size_t seen_ = 0;
  std::chrono::steady_clock::time_point last_sent_{};
};

}  // namespace

void register_shell_tools(ToolRegistry& registry, ContainerManager& containers,
                          CommandRunner& runner) {
  Tool tool;
  tool.name = "shell_exec";
  tool.runs_commands = true;
  tool.title = "Run shell command";
  tool.description =
      "Run `sh -c command` in the project's sandbox; returns exit code and output. For servers "
      "use process_start.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"command", command_property("Shell command, e.g. 'npm test'.")},
        {"cwd", cwd_property()},
        {"env", env_property()},
        {"stdin",
         {{"type", "string"},
          {"maxLength", 10 * 1024 * 1024},
          {"description", "Text for the command's stdin."}}},
        {"timeout_ms",
         {{"type", "integer"},
          {"minimum", 1},
          {"maximum", 3'600'000},
          {"default", kDefaultTimeoutMs},
          {"description", "Timeout (ms)."}}},
        {"max_output_bytes", output_budget_property()}}},
      {"required", {"command"}},
      {"additionalProperties", false},
  };
  tool.output_schema = schema_of<ShellResult>();
  tool.annotations = {
      .read_only = false, .destructive = true, .idempotent = false, .open_world = false};
  tool.execution = ToolExecution::kLongRunning;  // a command may run for up to an hour
  tool.handler = [&containers, &runner](const json& arguments, ToolContext& context) {
    if (!containers.exec_enabled()) return ToolResult::error(ContainerManager::disabled_message());
    ExecRequest request;
    request.command = arguments.value("command", "");
    request.cwd = arguments.value("cwd", "");
    request.stdin_data = arguments.value("stdin", "");
    request.timeout = std::chrono::milliseconds(arguments.value("timeout_ms", kDefaultTimeoutMs));
    // Each stream keeps enough for the whole budget: the cut to it happens below, once.
    request.output_limit = output_budget(arguments);
    if (auto env = arguments.find("env"); env != arguments.end()) {
      for (const auto& [name, value] : env->items()) request.env[name] = value.get<std::string>();
    }
    ProgressForwarder progress(context);
    OutputSink sink;
    if (context.wants_progress()) {
      sink = [&progress](std::string_view stream, std::string_view bytes) {
        progress.add(stream, bytes);
      };
    }
    auto result =
        runner.run(optional_string(arguments, "project"), request, context.cancellation(), sink);
    if (!result) return ToolResult::from_error(result.error());
    if (sink) progress.flush();
    const ExecResult& done = *result;
    // Non-UTF-8 output would make the JSON unserialisable: invalid bytes are replaced.
    const std::string out = valid_utf8(done.stdout_text);
    const std::string err = valid_utf8(done.stderr_text);
    const auto [out_share, err_share] =
        share_budget(output_budget(arguments), out.size(), err.size());
    const Budgeted out_text = head_and_tail(out, out_share, kOutputHint, done.stdout_elided_bytes);
    const Budgeted err_text = head_and_tail(err, err_share, kOutputHint, done.stderr_elided_bytes);
    const auto [out_preview_share, err_preview_share] =
        share_budget(kStructuredPreviewBytes, out.size(), err.size());
    const Budgeted out_preview =
        head_and_tail(out, out_preview_share, "", done.stdout_elided_bytes);
    const Budgeted err_preview =
        head_and_tail(err, err_preview_share, "", done.stderr_elided_bytes);
    ShellResult structured;
    structured.exit_code = done.exit_code;
    structured.signal = done.signal;
    structured.stdout = out_preview.text;
    structured.stderr = err_preview.text;
    structured.stdout_elided_bytes = out_preview.elided;
    structured.stderr_elided_bytes = err_preview.elided;
    structured.duration_ms = done.duration.count();
    structured.timed_out = done.timed_out;
    structured.cancelled = done.cancelled;
    return ToolResult::success(to_structured(structured),
                               render(done, out_text.text, err_text.text));
  };
  registry.add(std::move(tool));
}

}  // namespace benchtop
