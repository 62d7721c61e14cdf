// Progress for tools that walk a directory tree: a notification every so many entries (and at
// most a few per second), so a client watching a search through a large workspace sees it move.
// Costs one counter increment per entry when the caller asked for no progress.
#pragma once

#include <chrono>
#include <string>

#include "server/mcp/registry/tool.h"

namespace benchtop {

class WalkProgress {
 public:
  explicit WalkProgress(const ToolContext& context) : context_(context) {}

  // One entry visited.
  void entry() {
    ++entries_;
    if (!context_.wants_progress() || entries_ % kEvery != 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < kMinInterval) return;
    last_ = now;
    report("Scanned " + std::to_string(entries_) + " entries");
  }
  // A phase change or the end, always reported (progress never decreases).
  void report(const std::string& message) {
    context_.report_progress(static_cast<double>(++reports_), std::nullopt, message);
  }
  size_t entries() const { return entries_; }

 private:
  static constexpr size_t kEvery = 500;
  static constexpr std::chrono::milliseconds kMinInterval{200};
  const ToolContext& context_;
  size_t entries_ = 0;
  size_t reports_ = 0;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace benchtop
