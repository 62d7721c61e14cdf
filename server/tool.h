// What a tool is: its definition (name, schemas, annotations), the context a handler runs in, and
// the result it returns. Tool families in tools/ build these; the registry validates and runs them.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/cancellation.h"
#include "common/result.h"

namespace benchtop {

// The MCP tool annotations. Defaults are the protocol's pessimistic defaults, so a tool that
// forgets to describe itself is treated as dangerous rather than safe.
struct ToolAnnotations {
  bool read_only = false;
  bool destructive = true;
  bool idempotent = false;
  bool open_world = false;
};

// Everything a handler may use besides its arguments. Owned by the dispatcher for the duration of
// one call; handlers must not keep references to it after returning.
class ToolContext {
 public:
  using ProgressSink =
      std::function<void(double progress, std::optional<double> total, const std::string& message)>;

  ToolContext() = default;
  ToolContext(CancellationToken cancellation, ProgressSink progress,
              nlohmann::json client_capabilities, std::string protocol_version)
      : cancellation_(std::move(cancellation)),
        progress_(std::move(progress)),
        client_capabilities_(std::move(client_capabilities)),
        protocol_version_(std::move(protocol_version)) {}

  bool cancelled() const { return cancellation_.cancelled(); }
  const CancellationToken& cancellation() const { return cancellation_; }

  // Sends notifications/progress when the caller asked for it (a progressToken); otherwise a no-op.
  // `progress` must increase with every call.
  void report_progress(double progress, std::optional<double> total = std::nullopt,
                       const std::string& message = {}) const {
    if (progress_) progress_(progress, total, message);
  }
  bool wants_progress() const { return static_cast<bool>(progress_); }

  const nlohmann::json& client_capabilities() const { return client_capabilities_; }
  const std::string& protocol_version() const { return protocol_version_; }

 private:
  CancellationToken cancellation_;
  ProgressSink progress_;
  nlohmann::json client_capabilities_ = nlohmann::json::object();
  std::string protocol_version_;
};

// A tools/call result. Successful data-returning tools set `structured` (validated against the
// tool's outputSchema) and a text rendering of the same data in `content` for clients that only
// read text.
struct ToolResult {
  nlohmann::json content = nlohmann::json::array();
  std::optional<nlohmann::json> structured;
  bool is_error = false;

  // A failure the model can act on: the message says what was wrong and what to do instead.
  static ToolResult error(std::string_view message);
  static ToolResult from_error(const Error& error);
  // Structured data plus its human/model-readable rendering.
  static ToolResult success(nlohmann::json structured, std::string text);
  // Text only (tools without an output schema).
  static ToolResult text(std::string text);

  nlohmann::json to_json() const&;
  nlohmann::json to_json() &&;  // moves the content instead of copying it
};

using ToolHandler =
    std::function<ToolResult(const nlohmann::json& arguments, ToolContext& context)>;

struct Tool {
  std::string name;
  std::string title;
  std::string description;
  nlohmann::json input_schema;   // a JSON Schema object with "type": "object"
  nlohmann::json output_schema;  // null when the tool returns no structured data
  ToolAnnotations annotations;
  ToolHandler handler;
};

}  // namespace benchtop
