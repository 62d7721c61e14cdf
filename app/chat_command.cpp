#include "app/chat_command.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "app/http_command.h"

namespace benchtop {
namespace {

std::string one_line(const std::string& text, size_t limit) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > limit) line = line.substr(0, limit) + "...";
  return line;
}

// Prints one event; returns the exit code once the run has ended.
std::optional<int> print_event(const nlohmann::json& event, bool& mid_line) {
  const std::string type = event.value("type", "");
  auto new_line = [&] {
    if (mid_line) std::fputc('\n', stdout);
    mid_line = false;
  };
  if (type == "text") {
    const std::string text = event.value("text", "");
    std::fputs(text.c_str(), stdout);
    mid_line = !text.empty() && text.back() != '\n';
  } else if (type == "tool_start") {
    new_line();
    std::printf("→ %s %s\n", event.value("name", "").c_str(),
                one_line(event["args"].dump(), 200).c_str());
  } else if (type == "tool_result") {
    const bool failed = event.value("is_error", false);
    std::printf("  %s %s\n", failed ? "✗" : "✓", one_line(event.value("result", ""), 160).c_str());
  } else if (type == "file_changed") {
    std::printf("  ✎ %s %s\n", event.value("action", "").c_str(), event.value("path", "").c_str());
  } else if (type == "done") {
    new_line();
    const auto usage = event.value("usage", nlohmann::json::object());
    std::fprintf(stderr, "[%s after %d round(s), %lld tokens]\n",
                 event.value("stop_reason", "completed").c_str(), event.value("rounds", 0),
                 static_cast<long long>(usage.value("total_tokens", 0)));
    return 0;
  } else if (type == "error") {
    new_line();
    std::fprintf(stderr, "benchtop chat: %s\n", event.value("error", "").c_str());
    return event.value("stop_reason", "") == "cancelled" ? 130 : 1;
  }
  std::fflush(stdout);
  return std::nullopt;
}

}  // namespace

int run_chat_command(const CliOptions& options, Services& services) {
  ChatService& chat = *services.chat;
  if (const auto& missing = chat.llm_unavailable()) {
    std::fprintf(stderr, "benchtop chat: %s\n", missing->c_str());
    return 1;
  }
  auto thread = chat.create_thread(options.chat_project, "");
  if (!thread) {
    std::fprintf(stderr, "benchtop chat: %s\n", thread.error().message.c_str());
    return 1;
  }
  auto run = chat.start(thread->id, options.chat_prompt);
  if (!run) {
    std::fprintf(stderr, "benchtop chat: %s\n", run.error().message.c_str());
    return 1;
  }

  // Ctrl-C cancels the run (which then ends with an error event) instead of killing the process.
  const sigset_t signals = shutdown_signals();
  std::atomic<bool> finished{false};
  std::thread signal_watcher([&] {
    int received = 0;
    sigwait(&signals, &received);
    if (!finished.load()) (*run)->cancel();
  });

  int code = 1;
  bool mid_line = false;
  size_t next = 0;
  for (bool ended = false; !ended;) {
    std::vector<nlohmann::json> events;
    ended = (*run)->read(next, events, std::chrono::seconds(1));
    next += events.size();
    for (const auto& event : events) {
      if (auto exit_code = print_event(event, mid_line)) code = *exit_code;
    }
  }
  std::fflush(stdout);
  std::fprintf(stderr, "[thread %s]\n", thread->id.c_str());
  finished.store(true);
  // Wakes the watcher from its sigwait (SIGTERM is blocked in every thread); nothing is killed.
  // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread)
  pthread_kill(signal_watcher.native_handle(), SIGTERM);
  signal_watcher.join();
  return code;
}

}  // namespace benchtop
