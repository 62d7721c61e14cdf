// Confirmation of destructive actions. When the client can ask its user (it declared the
// elicitation capability), the user is asked directly, so a model cannot confirm on the user's
// behalf; otherwise the tool's own confirmation argument decides, as before.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/mcp/registry/tool.h"

namespace benchtop {

// std::nullopt: go ahead. Otherwise the result to return instead of acting: the user declined or
// dismissed the question, or (without elicitation) `confirm_arg_ok` is false and
// `missing_confirmation` tells the model how to confirm. Under 2026-07-28 the first call asks
// through an input_required result and the client's retry carries the user's answer.
std::optional<ToolResult> confirm_destructive(const ToolContext& context,
                                              const std::string& message, bool confirm_arg_ok,
                                              std::string_view missing_confirmation);

}  // namespace benchtop
