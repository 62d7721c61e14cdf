#include "server/tool.h"

namespace benchtop {

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

nlohmann::json ToolResult::to_json() const& {
  return ToolResult(*this).to_json();
}

nlohmann::json ToolResult::to_json() && {
  nlohmann::json out = nlohmann::json::object();
  out["content"] = std::move(content);
  if (structured) out["structuredContent"] = std::move(*structured);
  if (is_error) out["isError"] = true;
  return out;
}

}  // namespace benchtop
