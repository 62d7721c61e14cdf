#include "server/mcp/registry/tool.h"

namespace benchtop {

bool ToolContext::client_supports(std::string_view capability) const {
  if (!client_capabilities_.is_object()) return false;
  auto it = client_capabilities_.find(std::string(capability));
  return it != client_capabilities_.end() && !it->is_null() && *it != false;
}

Result<nlohmann::json> ToolContext::request_client(const std::string& method,
                                                   const nlohmann::json& params,
                                                   const std::string& key) const {
  if (!channel_.request) {
    return Error::make("This connection cannot carry requests to the client (" + method + ").",
                       kNoClient);
  }
  return channel_.request(method, params, key);
}

Result<nlohmann::json> ToolContext::elicit(const std::string& message,
                                           const nlohmann::json& requested_schema,
                                           const std::string& key) const {
  return request_client("elicitation/create",
                        {{"message", message}, {"requestedSchema", requested_schema}}, key);
}

Result<nlohmann::json> ToolContext::create_message(const nlohmann::json& params,
                                                   const std::string& key) const {
  return request_client("sampling/createMessage", params, key);
}

void ToolContext::log(const std::string& level, const nlohmann::json& data,
                      const std::string& logger) const {
  if (channel_.log) channel_.log(level, data, logger);
}

ToolResult ToolResult::error(std::string_view message) {
  ToolResult result;
  result.content.push_back({{"type", "text"}, {"text", std::string(message)}});
  result.is_error = true;
  return result;
}

ToolResult ToolResult::from_error(const Error& error) {
  return ToolResult::error(error.message);
}

ToolResult ToolResult::success(nlohmann::json structured, std::string text) {
  ToolResult result;
  result.content.push_back({{"type", "text"}, {"text", std::move(text)}});
  result.structured = std::move(structured);
  return result;
}

ToolResult ToolResult::text(std::string text) {
  ToolResult result;
  result.content.push_back({{"type", "text"}, {"text", std::move(text)}});
  return result;
}

std::string_view to_string(FileChange::Action action) {
  switch (action) {
    case FileChange::Action::kCreated:
      return "created";
    case FileChange::Action::kModified:
      return "modified";
    case FileChange::Action::kDeleted:
      return "deleted";
    case FileChange::Action::kMoved:
      return "moved";
  }
  return "modified";
}

nlohmann::json FileChange::to_json() const {
  nlohmann::json out = {{"path", path}, {"action", std::string(to_string(action))}};
  if (action == Action::kMoved) out["from"] = from;
  return out;
}

nlohmann::json ToolResult::to_json() const& {
  return ToolResult(*this).to_json();
}

nlohmann::json ToolResult::to_json() && {
  nlohmann::json out = nlohmann::json::object();
  out["content"] = std::move(content);
  if (structured) out["structuredContent"] = std::move(*structured);
  if (is_error) out["isError"] = true;
  if (!file_changes.empty()) {
    nlohmann::json changes = nlohmann::json::array();
    for (const auto& change : file_changes) changes.push_back(change.to_json());
    out["_meta"] = {{kFileChangesMeta, std::move(changes)}};
  }
  return out;
}

}  // namespace benchtop
