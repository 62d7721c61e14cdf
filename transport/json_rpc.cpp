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

// SAX events of one message, keeping only the value of the top-level "id" member. Nothing is
// built, so depth costs nothing (nlohmann's SAX parser keeps its own stack on the heap), and the
// events that arrived before a syntax error still count: `{"id":7,"method":"x",` names its id.
class IdReader final : public nlohmann::json_sax<nlohmann::json> {
 public:
  Id id() const { return id_; }

  bool null() override { return scalar(nullptr); }
  bool boolean(bool) override { return scalar(nullptr); }
  bool number_integer(number_integer_t value) override { return scalar(value); }
  bool number_unsigned(number_unsigned_t value) override { return scalar(value); }
  bool number_float(number_float_t, const string_t&) override { return scalar(nullptr); }
  bool string(string_t& value) override { return scalar(value); }
  bool binary(binary_t&) override { return scalar(nullptr); }
  bool start_object(std::size_t) override { return open(); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override {
    // A batch is refused whole: ids inside it are not the message's id.
    if (depth_ == 0) return false;
    return open();
  }
  bool end_array() override { return close(); }
  bool key(string_t& name) override {
    at_id_ = depth_ == 1 && name == "id";
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  // A later "id" member replaces an earlier one, as it does when the message is parsed whole.
  bool scalar(nlohmann::json value) {
    if (at_id_) id_ = value.is_string() || value.is_number_integer() ? std::move(value) : nullptr;
    at_id_ = false;
    return true;
  }
  bool open() {
    if (at_id_) id_ = nullptr;  // an object or array is no id
    at_id_ = false;
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }

  Id id_ = nullptr;
  size_t depth_ = 0;
  bool at_id_ = false;
};

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

Id read_id(std::string_view text) {
  IdReader reader;
  nlohmann::json::sax_parse(text.begin(), text.end(), &reader, nlohmann::json::input_format_t::json,
                            /*strict=*/true, /*ignore_comments=*/false);
  return reader.id();
}

Message parse(std::string_view text) {
  // The cheap scans run first; the id of a refused message is read only on the error path.
  if (nesting_exceeds(text, kMaxNestingDepth)) {
    return invalid(kParseError,
                   "Parse error: the message nests arrays/objects deeper than " +
                       std::to_string(kMaxNestingDepth) + " levels",
                   read_id(text));
  }
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return invalid(kParseError, "Parse error: the message is not valid JSON", read_id(text));
  }
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
  // MCP's schema has no null ids: an error whose id is unknown carries none (but see
  // make_invalid_message_error).
  if (!id.is_null()) response["id"] = id;
  return response;
}

nlohmann::json make_invalid_message_error(const Invalid& invalid) {
  nlohmann::json response = make_error(invalid.id, invalid.code, invalid.message);
  response["id"] = invalid.id;  // null when it could not be read
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
