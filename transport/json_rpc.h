// JSON-RPC 2.0 messages: classification of an incoming message without throwing, and builders for
// responses and errors. Knows nothing of MCP.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace benchtop::jsonrpc {

// The standard codes (a protocol on top reserves its own: server/mcp/protocol.h).
enum ErrorCode : int {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
};

// A request id is a string or an integer (JSON-RPC allows numbers; MCP forbids null).
using Id = nlohmann::json;

struct Request {
  Id id;
  std::string method;
  nlohmann::json params;  // object, or null when absent
};

struct Notification {
  std::string method;
  nlohmann::json params;
};

struct Response {
  Id id;
  std::optional<nlohmann::json> result;
  std::optional<nlohmann::json> error;  // {code, message, data?}
};

// An incoming message that is not valid JSON-RPC. `id` is the request id when it could be read
// (so the error response can name it), null otherwise.
struct Invalid {
  int code;
  std::string message;
  Id id;
};

using Message = std::variant<Request, Notification, Response, Invalid>;

// Deepest nesting of arrays and objects parse() accepts. nlohmann's parser is iterative, but
// copying, comparing, dumping and schema-validating a value recurse once per level, so a small
// message of nested brackets could otherwise overflow a thread's stack. Real MCP messages stay
// far below this.
inline constexpr size_t kMaxNestingDepth = 128;

// Parses one framed message. Never throws. Batches (arrays) are refused as invalid: MCP removed
// batching in 2025-06-18. A message nested deeper than kMaxNestingDepth is a parse error.
Message parse(std::string_view text);
// The top-level "id" of a message that may be malformed, truncated or too deep to parse: the last
// string or integer "id" member of the outermost object read before the text ended or went wrong,
// null when there is none. Never throws; builds nothing.
Id read_id(std::string_view text);
Message classify(const nlohmann::json& value);

nlohmann::json make_result(const Id& id, nlohmann::json result);
// `id` null (unknown) leaves the "id" member out, as MCP's schema has it.
nlohmann::json make_error(const Id& id, int code, std::string_view message,
                          const nlohmann::json& data = nullptr);
// The answer to a message that could not be read or is not valid JSON-RPC. JSON-RPC 2.0 (section 5)
// requires "id" in it: the message's id where it could still be read, null otherwise ("If there
// was an error in detecting the id in the Request object (e.g. Parse error/Invalid Request), it
// MUST be Null"); clients that correlate strictly reject an error without one.
nlohmann::json make_invalid_message_error(const Invalid& invalid);
nlohmann::json make_notification(std::string_view method, nlohmann::json params = nullptr);
nlohmann::json make_request(const Id& id, std::string_view method, nlohmann::json params = nullptr);

// Serialises without throwing on invalid UTF-8 (replaced with U+FFFD) — a tool that read bytes from
// a file must not be able to break the wire.
std::string serialize(const nlohmann::json& message);

}  // namespace benchtop::jsonrpc
