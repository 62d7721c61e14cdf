#include "transport/json_rpc.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace benchtop::jsonrpc {
namespace {

using nlohmann::json;

// The Invalid a malformed message classifies as; fails the test when it classifies as anything
// else.
Invalid expect_invalid(std::string_view text) {
  Message message = parse(text);
  const auto* invalid = std::get_if<Invalid>(&message);
  EXPECT_NE(invalid, nullptr) << "accepted as valid: " << text;
  return invalid ? *invalid : Invalid{0, "", nullptr};
}

TEST(JsonRpcParse, RequestWithParams) {
  Message message = parse(R"({"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"a":1}})");
  const auto* request = std::get_if<Request>(&message);
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->id, 7);
  EXPECT_EQ(request->method, "tools/list");
  EXPECT_EQ(request->params, (json{{"a", 1}}));
}

TEST(JsonRpcParse, RequestWithStringIdAndNoParams) {
  Message message = parse(R"({"jsonrpc":"2.0","id":"abc","method":"ping"})");
  const auto* request = std::get_if<Request>(&message);
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->id, "abc");
  EXPECT_TRUE(request->params.is_null());
}

TEST(JsonRpcParse, RequestWithNegativeAndZeroIds) {
  for (const char* id : {"0", "-5", "9007199254740993"}) {
    Message message = parse(std::string(R"({"jsonrpc":"2.0","method":"ping","id":)") + id + "}");
    const auto* request = std::get_if<Request>(&message);
    ASSERT_NE(request, nullptr) << id;
    EXPECT_EQ(request->id.dump(), id);
  }
}

TEST(JsonRpcParse, Notification) {
  Message message =
      parse(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}})");
  const auto* notification = std::get_if<Notification>(&message);
  ASSERT_NE(notification, nullptr);
  EXPECT_EQ(notification->method, "notifications/cancelled");
  EXPECT_EQ(notification->params["requestId"], 3);
}

TEST(JsonRpcParse, NotificationWithoutParams) {
  Message message = parse(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  const auto* notification = std::get_if<Notification>(&message);
  ASSERT_NE(notification, nullptr);
  EXPECT_TRUE(notification->params.is_null());
}

TEST(JsonRpcParse, ResultResponse) {
  Message message = parse(R"({"jsonrpc":"2.0","id":"r1","result":{"ok":true}})");
  const auto* response = std::get_if<Response>(&message);
  ASSERT_NE(response, nullptr);
  EXPECT_EQ(response->id, "r1");
  ASSERT_TRUE(response->result.has_value());
  EXPECT_EQ((*response->result)["ok"], true);
  EXPECT_FALSE(response->error.has_value());
}

TEST(JsonRpcParse, ErrorResponse) {
  Message message = parse(R"({"jsonrpc":"2.0","id":4,"error":{"code":-32601,"message":"nope"}})");
  const auto* response = std::get_if<Response>(&message);
  ASSERT_NE(response, nullptr);
  EXPECT_FALSE(response->result.has_value());
  ASSERT_TRUE(response->error.has_value());
  EXPECT_EQ((*response->error)["code"], -32601);
}

TEST(JsonRpcParse, NullResultIsStillAResult) {
  Message message = parse(R"({"jsonrpc":"2.0","id":1,"result":null})");
  const auto* response = std::get_if<Response>(&message);
  ASSERT_NE(response, nullptr);
  ASSERT_TRUE(response->result.has_value());
  EXPECT_TRUE(response->result->is_null());
}

TEST(JsonRpcParse, SurroundingWhitespaceIsAccepted) {
  EXPECT_TRUE(
      std::holds_alternative<Request>(parse(" \t{\"jsonrpc\":\"2.0\",\"id\":1,"
                                            "\"method\":\"ping\"}\r ")));
}

TEST(JsonRpcParse, NotJsonIsAParseError) {
  for (const char* text : {"", "hello", "{", "{\"jsonrpc\":\"2.0\",", "{}}", "[1,]",
                           "{\"a\":1} {\"b\":2}", "\xff\xfe"}) {
    Invalid invalid = expect_invalid(text);
    EXPECT_EQ(invalid.code, kParseError) << text;
    EXPECT_TRUE(invalid.id.is_null()) << text;
  }
}

TEST(JsonRpcParse, AParseErrorNamesTheIdWhereItCanStillBeRead) {
  const std::vector<std::pair<std::string, Id>> cases = {
      // Read before the text went wrong: truncated, trailing garbage, a bad later member.
      {R"({"jsonrpc":"2.0","id":7,"method":"ping","params":{)", 7},
      {R"({"id":"abc","jsonrpc":"2.0","method":"ping"} trailing)", "abc"},
      {R"({"jsonrpc":"2.0","id":-3,"method":"ping",})", -3},
      {R"({"jsonrpc":"2.0","id":18446744073709551615,"method":)", 18446744073709551615ull},
      {"{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"p\xc3\x28\"}", 4},
      {R"({"id":1,"id":2,)", 2},  // the last one, as a whole parse keeps it
      {R"({"id":1,"params":{"id":2},)", 1},
      // Not readable: after the error, not at the top level, not a string or integer, a batch.
      {R"({"jsonrpc":"2.0",,"id":7})", nullptr},
      {R"({"params":{"id":2},)", nullptr},
      {R"({"id":1.5,)", nullptr},
      {R"({"id":null,)", nullptr},
      {R"({"id":true,)", nullptr},
      {R"({"id":{"a":1},)", nullptr},
      {R"({"id":[1],)", nullptr},
      {R"({"id":1,"id":[2],)", nullptr},
      {R"([{"jsonrpc":"2.0","id":1,"method":"ping"},)", nullptr},
      {"", nullptr},
      {"{", nullptr},
  };
  for (const auto& [text, id] : cases) {
    Invalid invalid = expect_invalid(text);
    EXPECT_EQ(invalid.code, kParseError) << text;
    EXPECT_EQ(invalid.id, id) << text;
    EXPECT_EQ(read_id(text), id) << text;
  }
  // Too deep to parse, yet the id is read, before or after the deep part.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(
      expect_invalid(R"({"jsonrpc":"2.0","id":5,"method":"x","params":{"a":)" + deep + "}}").id, 5);
  EXPECT_EQ(expect_invalid(R"({"params":{"a":)" + deep + R"(},"id":"late","jsonrpc":"2.0"})").id,
            "late");
}

TEST(JsonRpcBuild, TheAnswerToAnUnreadableMessageAlwaysHasAnId) {
  // JSON-RPC 2.0: null when the id could not be detected.
  const json unknown = make_invalid_message_error({kParseError, "Parse error", nullptr});
  ASSERT_TRUE(unknown.contains("id")) << unknown;
  EXPECT_TRUE(unknown["id"].is_null());
  EXPECT_EQ(unknown["error"]["code"], kParseError);
  EXPECT_EQ(make_invalid_message_error({kInvalidRequest, "x", "r1"})["id"], "r1");
}

TEST(JsonRpcParse, InvalidUtf8InsideAStringIsAParseError) {
  Invalid invalid = expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\xc3\x28\"}");
  EXPECT_EQ(invalid.code, kParseError);
}

TEST(JsonRpcParse, BatchIsRefused) {
  Invalid invalid = expect_invalid(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  EXPECT_EQ(invalid.code, kInvalidRequest);
  EXPECT_TRUE(invalid.id.is_null());
  EXPECT_EQ(expect_invalid("[]").code, kInvalidRequest);
}

TEST(JsonRpcParse, NonObjectScalarsAreInvalidRequests) {
  for (const char* text : {"1", "\"ping\"", "null", "true"}) {
    EXPECT_EQ(expect_invalid(text).code, kInvalidRequest) << text;
  }
}

TEST(JsonRpcParse, MissingOrWrongVersion) {
  Invalid missing = expect_invalid(R"({"id":5,"method":"ping"})");
  EXPECT_EQ(missing.code, kInvalidRequest);
  EXPECT_EQ(missing.id, 5);  // the id is still named so the client can match the error

  for (const char* version : {"\"1.0\"", "2.0", "null", "\"2.0 \""}) {
    Invalid wrong =
        expect_invalid(std::string(R"({"jsonrpc":)") + version + R"(,"id":"x","method":"ping"})");
    EXPECT_EQ(wrong.code, kInvalidRequest) << version;
    EXPECT_EQ(wrong.id, "x") << version;
  }
}

TEST(JsonRpcParse, NonStringMethod) {
  for (const char* method : {"1", "null", "{}", "[\"ping\"]"}) {
    Invalid invalid =
        expect_invalid(std::string(R"({"jsonrpc":"2.0","id":9,"method":)") + method + "}");
    EXPECT_EQ(invalid.code, kInvalidRequest) << method;
    EXPECT_EQ(invalid.id, 9) << method;
  }
}

TEST(JsonRpcParse, IdThatIsNotAStringOrIntegerIsRefused) {
  for (const char* id : {"null", "1.5", "{}", "[1]", "true"}) {
    Invalid invalid =
        expect_invalid(std::string(R"({"jsonrpc":"2.0","method":"ping","id":)") + id + "}");
    EXPECT_EQ(invalid.code, kInvalidRequest) << id;
    EXPECT_TRUE(invalid.id.is_null()) << id;  // an unusable id is not echoed back
  }
}

TEST(JsonRpcParse, ParamsNotAnObject) {
  // On a request the shape of params is an invalid-params fault the caller can match by id.
  for (const char* params : {"[1,2]", "\"x\"", "3", "null", "true"}) {
    Invalid invalid = expect_invalid(
        std::string(R"({"jsonrpc":"2.0","id":2,"method":"ping","params":)") + params + "}");
    EXPECT_EQ(invalid.code, kInvalidParams) << params;
    EXPECT_EQ(invalid.id, 2) << params;
  }
  // A notification has no id to answer, so it is simply an invalid message.
  Invalid notification =
      expect_invalid(R"({"jsonrpc":"2.0","method":"notifications/initialized","params":[]})");
  EXPECT_EQ(notification.code, kInvalidRequest);
  EXPECT_TRUE(notification.id.is_null());
}

TEST(JsonRpcParse, ResponseWithBothResultAndError) {
  Invalid invalid = expect_invalid(
      R"({"jsonrpc":"2.0","id":3,"result":{},"error":{"code":-32603,"message":"x"}})");
  EXPECT_EQ(invalid.code, kInvalidRequest);
  EXPECT_EQ(invalid.id, 3);
}

TEST(JsonRpcParse, ResponseWithoutId) {
  EXPECT_EQ(expect_invalid(R"({"jsonrpc":"2.0","result":{}})").code, kInvalidRequest);
}

TEST(JsonRpcParse, ErrorResponseWithoutCode) {
  EXPECT_EQ(expect_invalid(R"({"jsonrpc":"2.0","id":1,"error":{"message":"x"}})").code,
            kInvalidRequest);
  EXPECT_EQ(expect_invalid(R"({"jsonrpc":"2.0","id":1,"error":"boom"})").code, kInvalidRequest);
}

TEST(JsonRpcParse, NeitherRequestNorResponse) {
  Invalid invalid = expect_invalid(R"({"jsonrpc":"2.0","id":1})");
  EXPECT_EQ(invalid.code, kInvalidRequest);
  EXPECT_EQ(invalid.id, 1);
}

TEST(JsonRpcClassify, WorksOnAlreadyParsedValues) {
  EXPECT_TRUE(std::holds_alternative<Request>(classify(make_request(1, "ping"))));
  EXPECT_TRUE(std::holds_alternative<Notification>(classify(make_notification("n"))));
  EXPECT_TRUE(std::holds_alternative<Response>(classify(make_result(1, json::object()))));
  EXPECT_TRUE(std::holds_alternative<Response>(classify(make_error(1, kInternalError, "x"))));
}

TEST(JsonRpcBuild, Result) {
  EXPECT_EQ(make_result("a", {{"x", 1}}),
            (json{{"jsonrpc", "2.0"}, {"id", "a"}, {"result", {{"x", 1}}}}));
}

TEST(JsonRpcBuild, ErrorWithAndWithoutData) {
  json plain = make_error(nullptr, kParseError, "bad");
  EXPECT_FALSE(plain.contains("id"));  // MCP has no null ids: an unknown id is left out
  EXPECT_EQ(plain["error"], (json{{"code", -32700}, {"message", "bad"}}));
  json with_data = make_error(4, kInvalidParams, "v", {{"supported", {"x"}}});
  EXPECT_EQ(with_data["error"]["data"]["supported"][0], "x");
}

TEST(JsonRpcBuild, NotificationAndRequestOmitNullParams) {
  json notification = make_notification("notifications/initialized");
  EXPECT_FALSE(notification.contains("params"));
  EXPECT_FALSE(notification.contains("id"));
  json request = make_request(3, "tools/call", {{"name", "echo"}});
  EXPECT_EQ(request["id"], 3);
  EXPECT_EQ(request["params"]["name"], "echo");
}

TEST(JsonRpcSerialize, IsOneLine) {
  std::string text = serialize(make_result(1, {{"text", "a\nb"}}));
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<Response>(parse(text)));
}

TEST(JsonRpcSerialize, ReplacesInvalidUtf8) {
  // Bytes a tool read from a binary file: a lone continuation byte, a truncated sequence, 0xff.
  std::string bytes = "ok \x80 \xc3 \xff end";
  std::string text;
  ASSERT_NO_THROW(text = serialize(make_result(1, {{"text", bytes}})));
  Message message = parse(text);
  const auto* response = std::get_if<Response>(&message);
  ASSERT_NE(response, nullptr) << text;
  EXPECT_EQ((*response->result)["text"], "ok \xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD end");
}

TEST(JsonRpcSerialize, KeepsValidUtf8) {
  std::string text = serialize(make_result(1, {{"text", "h\xc3\xa9llo \xe2\x82\xac"}}));
  EXPECT_NE(text.find("h\xc3\xa9llo \xe2\x82\xac"), std::string::npos);
}

}  // namespace
}  // namespace benchtop::jsonrpc

namespace benchtop::jsonrpc {
namespace {

std::string nested_params(size_t depth, char open, char close) {
  std::string inner;
  for (size_t i = 0; i < depth; ++i) inner += open == '{' ? std::string("{\"a\":") : "[";
  inner += "1";
  for (size_t i = 0; i < depth; ++i) inner += close;
  return R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":)" + inner + "}}";
}

TEST(JsonRpcParse, NestingUpToTheLimitIsAccepted) {
  // The envelope and params object are two levels of the limit.
  for (char open : {'[', '{'}) {
    Message message = parse(nested_params(kMaxNestingDepth - 2, open, open == '[' ? ']' : '}'));
    EXPECT_TRUE(std::holds_alternative<Request>(message)) << open;
  }
}

TEST(JsonRpcParse, NestingBeyondTheLimitIsRefusedBeforeParsing) {
  for (char open : {'[', '{'}) {
    Invalid invalid =
        expect_invalid(nested_params(kMaxNestingDepth - 1, open, open == '[' ? ']' : '}'));
    EXPECT_EQ(invalid.code, kParseError) << open;
    EXPECT_NE(invalid.message.find("deeper"), std::string::npos) << invalid.message;
  }
}

TEST(JsonRpcParse, VeryDeepNestingDoesNotOverflowTheStack) {
  // Each of these used to build (and then copy) a value 100000 levels deep.
  constexpr size_t kDepth = 100000;
  EXPECT_EQ(expect_invalid(std::string(kDepth, '[')).code, kParseError);
  EXPECT_EQ(expect_invalid(std::string(kDepth, '[') + std::string(kDepth, ']')).code, kParseError);
  EXPECT_EQ(expect_invalid(nested_params(kDepth, '{', '}')).code, kParseError);
  EXPECT_EQ(expect_invalid(nested_params(kDepth, '[', ']')).code, kParseError);
}

TEST(JsonRpcParse, BracketsInsideStringsDoNotCountAsNesting) {
  std::string deep_text(10000, '[');
  deep_text += "\\\"{{{";  // an escaped quote must not end the string
  Message message =
      parse(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":")" + deep_text + "\"}}");
  EXPECT_TRUE(std::holds_alternative<Request>(message));
}

}  // namespace
}  // namespace benchtop::jsonrpc
