// Decoding a streamed Chat Completions response: Server-Sent Events framing (`data:` lines, events
// split anywhere across network reads), then chunk deltas folded into one Completion. Tool calls
// arrive as fragments keyed by index: the id and name usually in the first, the JSON arguments
// spread over many.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "server/agent/chat_types.h"

namespace benchtop {

// Splits a byte stream into SSE event payloads (the joined `data:` lines of each event).
class SseDataParser {
 public:
  // Calls `on_data` for every complete event in `bytes` (plus what earlier calls left over).
  void feed(std::string_view bytes, const std::function<void(const std::string&)>& on_data);
  // Flushes an event left unterminated at the end of the stream.
  void finish(const std::function<void(const std::string&)>& on_data);

 private:
  void line(std::string_view text, const std::function<void(const std::string&)>& on_data);

  std::string pending_;  // bytes of an incomplete line
  std::string data_;     // data lines of the event being read
  bool has_data_ = false;
};

// Folds chunk payloads into a Completion.
class CompletionAccumulator {
 public:
  using TextSink = std::function<void(const std::string& delta)>;
  explicit CompletionAccumulator(TextSink on_text) : on_text_(std::move(on_text)) {}

  // One `data:` payload. "[DONE]" marks the end; invalid JSON is counted and skipped, because one
  // garbled chunk from a proxy should not throw away an otherwise good answer.
  void add(const std::string& payload);
  bool done() const { return done_; }
  // Whether any content, tool call or finish reason has arrived (a retry after that would repeat
  // text the user has already seen).
  bool received_anything() const { return received_; }
  // Provider error object sent inside the stream ({"error": {...}}), if any.
  const std::string& stream_error() const { return stream_error_; }

  Completion take();

 private:
  TextSink on_text_;
  Completion completion_;
  std::map<int, LlmToolCall> calls_;  // by the delta's index
  bool done_ = false;
  bool received_ = false;
  std::string stream_error_;
};

}  // namespace benchtop
