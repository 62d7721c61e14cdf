#include "tools/common/confirmation.h"

namespace benchtop {

std::optional<ToolResult> confirm_destructive(const ToolContext& context,
                                              const std::string& message, bool confirm_arg_ok,
                                              std::string_view missing_confirmation) {
  auto fallback = [&]() -> std::optional<ToolResult> {
    if (confirm_arg_ok) return std::nullopt;
    return ToolResult::error(missing_confirmation);
  };
  if (!context.client_supports("elicitation")) return fallback();

  const nlohmann::json schema = {{"type", "object"},
                                 {"properties",
                                  {{"confirm",
                                    {{"type", "boolean"},
                                     {"title", "Confirm"},
                                     {"description", "Set true to go ahead; cannot be undone."},
                                     {"default", false}}}}},
                                 {"required", {"confirm"}}};
  auto answer = context.elicit(message, schema, "confirm_destructive");
  if (!answer) {
    const std::string& code = answer.error().code;
    if (code == ToolContext::kInputRequired) return ToolResult::error(answer.error().message);
    if (code == ToolContext::kNoClient || code == ToolContext::kMissingCapability) {
      return fallback();
    }
    return ToolResult::error("Could not ask the user to confirm (" + answer.error().message +
                             "); nothing was changed. Try again.");
  }
  const std::string action = answer->value("action", "");
  if (action == "accept") {
    const nlohmann::json content = answer->value("content", nlohmann::json::object());
    if (content.is_object() && content.value("confirm", false) == true) return std::nullopt;
    return ToolResult::error(
        "The user did not tick the confirmation; nothing was changed. Do not retry unless the "
        "user asks for it.");
  }
  if (action == "decline") {
    return ToolResult::error(
        "The user declined; nothing was changed. Do not retry unless the user asks for it.");
  }
  return ToolResult::error(
      "The user dismissed the confirmation without answering; nothing was changed. Ask the user "
      "before trying again.");
}

}  // namespace benchtop
