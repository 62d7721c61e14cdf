#include "transport/json_rpc.h"

#include "transport/json_writer.h"

namespace benchtop::jsonrpc {
namespace {

bool valid_id(const nlohmann::json& id) {
  return id.is_string() || id.is_number_integer();
}

Invalid invalid(int code, std::string message, Id id = nullptr) {
  return Invalid{code, std::move(message), std::move(id)};
}

// True when `text` opens more than `limit` arrays/objects at once. Brackets inside strings do not
// count. Runs before the real parse so that no deep value is ever built; malformed text is left
// for the parser to report.
bool nesting_exceeds(std::string_view text, size_t limit) {
  size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

}  // namespace

Message classify(const nlohmann::json& value) {
  if (value.is_array()) return invalid(kInvalidRequest, "Batch requests are not supported");
  if (!value.is_object()) return invalid(kInvalidRequest, "A JSON-RPC message must be an object");

  Id id = nullptr;
  const auto id_it = value.find("id");
  const bool has_id = id_it != value.end();
  if (has_id && valid_id(*id_it)) id = *id_it;

  const auto version = value.find("jsonrpc");
  if (version == value.end() || *version != "2.0") {
    return invalid(kInvalidRequest, "Missing or wrong \"jsonrpc\": must be \"2.0\"", id);
  }

  const auto method = value.find("method");
  if (method != value.end()) {
    if (!method->is_string()) return invalid(kInvalidRequest, "\"method\" must be a string", id);
    nlohmann::json params = nullptr;
    if (auto p = value.find("params"); p != value.end()) {
      if (!p->is_object()) {
        // MCP params are always objects; positional arrays are a JSON-RPC form MCP does not use.
        return invalid(has_id ? kInvalidParams : kInvalidRequest, "\"params\" must be an object",
                       id);
      }
      params = *p;
    }
    if (!has_id) return Notification{method->get<std::string>(), std::move(params)};
    if (!valid_id(*id_it)) {
      return invalid(kInvalidRequest, "\"id\" must be a string or an integer");
    }
    return Request{*id_it, method->get<std::string>(), std::move(params)};
  }

  const auto result = value.find("result");
  const auto error = value.find("error");
  if (result != value.end() || error != value.end()) {
    if (!has_id) return invalid(kInvalidRequest, "A response needs an \"id\"");
    if ((result != value.end()) == (error != value.end())) {
      return invalid(kInvalidRequest, "A response has exactly one of \"result\" and \"error\"", id);
    }
    Response response{*id_it, std::nullopt, std::nullopt};
    if (result != value.end()) response.result = *result;
    if (error != value.end()) {
      if (!error->is_object() || !error->contains("code")) {
        return invalid(kInvalidRequest, "\"error\" must be an object with a \"code\"", id);
      }
      response.error = *error;
    }
    return response;
  }
  return invalid(kInvalidRequest, "Not a request, notification or response", id);
}

Message parse(std::string_view text) {
  if (nesting_exceeds(text, kMaxNestingDepth)) {
    return invalid(kParseError, "Parse error: the message nests arrays/objects deeper than " +
                                    std::to_string(kMaxNestingDepth) + " levels");
  }
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded())
    return invalid(kParseError, "Parse error: the message is not valid JSON");
  return classify(value);
}

nlohmann::json make_result(const Id& id, nlohmann::json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

nlohmann::json make_error(const Id& id, int code, std::string_view message,
                          const nlohmann::json& data) {
  nlohmann::json error = {{"code", code}, {"message", std::string(message)}};
  if (!data.is_null()) error["data"] = data;
  nlohmann::json response = {{"jsonrpc", "2.0"}, {"error", std::move(error)}};
  // MCP's schema has no null ids: an error about a message whose id is unknown carries none.
  if (!id.is_null()) response["id"] = id;
  return response;
}

nlohmann::json make_notification(std::string_view method, nlohmann::json params) {
  nlohmann::json message = {{"jsonrpc", "2.0"}, {"method", std::string(method)}};
  if (!params.is_null()) message["params"] = std::move(params);
  return message;
}

nlohmann::json make_request(const Id& id, std::string_view method, nlohmann::json params) {
  nlohmann::json message = make_notification(method, std::move(params));
  message["id"] = id;
  return message;
}

std::string serialize(const nlohmann::json& message) {
  std::string text;
  append_json(message, text);
  return text;
}

}  // namespace benchtop::jsonrpc
