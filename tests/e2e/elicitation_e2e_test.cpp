// The real binary over stdio asks its client to confirm project_delete by elicitation (the client
// declared the capability) and acts on the answer: accept deletes, decline and cancel keep the
// project. Without the capability the `confirm` argument decides, as before.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "e2e/stdio_client.h"

namespace benchtop::e2e {
namespace {

using nlohmann::json;

class ConfirmingClient : public StdioClient {
 public:
  explicit ConfirmingClient(json capabilities) : StdioClient(std::move(capabilities)) {}

  bool project_exists(const std::string& name) {
    json response = call("get-" + name, "project_get", {{"project", name}});
    return response.contains("result") && !response["result"].value("isError", false);
  }
};

// Starts project_delete, checks the elicitation request the server sends, answers it with
// `answer` and returns the tools/call response.
json delete_answering(ConfirmingClient& client, const json& answer) {
  client.send(
      jsonrpc::make_request("delete", "tools/call",
                            {{"name", "project_delete"}, {"arguments", {{"project", "doomed"}}}}));
  json ask = client.next();
  EXPECT_EQ(ask.value("method", ""), "elicitation/create") << ask;
  EXPECT_TRUE(ask.contains("id")) << ask;
  EXPECT_NE(ask["params"].value("message", "").find("doomed"), std::string::npos) << ask;
  EXPECT_EQ(ask["params"]["requestedSchema"]["properties"]["confirm"]["type"], "boolean") << ask;
  client.send(jsonrpc::make_result(ask.value("id", json()), answer));
  json response = client.next();
  EXPECT_EQ(response.value("id", json()), "delete") << response;
  return response;
}

TEST(ElicitationE2e, AcceptedConfirmationDeletesTheProject) {
  ConfirmingClient client(json{{"elicitation", json::object()}});
  ASSERT_TRUE(client.call("create", "project_create", {{"name", "doomed"}}).contains("result"));
  json response =
      delete_answering(client, {{"action", "accept"}, {"content", {{"confirm", true}}}});
  EXPECT_FALSE(response["result"].value("isError", false)) << response;
  EXPECT_EQ(response["result"]["structuredContent"]["deleted"]["name"], "doomed") << response;
  EXPECT_FALSE(client.project_exists("doomed"));
}

TEST(ElicitationE2e, DeclinedConfirmationKeepsTheProject) {
  ConfirmingClient client(json{{"elicitation", json::object()}});
  ASSERT_TRUE(client.call("create", "project_create", {{"name", "doomed"}}).contains("result"));
  json response = delete_answering(client, {{"action", "decline"}});
  EXPECT_TRUE(response["result"].value("isError", false)) << response;
  EXPECT_NE(response.dump().find("declined"), std::string::npos) << response;
  EXPECT_TRUE(client.project_exists("doomed"));
}

TEST(ElicitationE2e, CancelledConfirmationKeepsTheProject) {
  ConfirmingClient client(json{{"elicitation", json::object()}});
  ASSERT_TRUE(client.call("create", "project_create", {{"name", "doomed"}}).contains("result"));
  json response = delete_answering(client, {{"action", "cancel"}});
  EXPECT_TRUE(response["result"].value("isError", false)) << response;
  EXPECT_NE(response.dump().find("dismissed"), std::string::npos) << response;
  EXPECT_TRUE(client.project_exists("doomed"));
}

TEST(ElicitationE2e, AcceptWithoutTheBoxTickedKeepsTheProject) {
  ConfirmingClient client(json{{"elicitation", json::object()}});
  ASSERT_TRUE(client.call("create", "project_create", {{"name", "doomed"}}).contains("result"));
  json response =
      delete_answering(client, {{"action", "accept"}, {"content", {{"confirm", false}}}});
  EXPECT_TRUE(response["result"].value("isError", false)) << response;
  EXPECT_TRUE(client.project_exists("doomed"));
}

TEST(ElicitationE2e, WithoutElicitationTheConfirmArgumentDecides) {
  ConfirmingClient client(json::object());
  ASSERT_TRUE(client.call("create", "project_create", {{"name", "doomed"}}).contains("result"));
  json refused = client.call("delete-1", "project_delete", {{"project", "doomed"}});
  EXPECT_TRUE(refused["result"].value("isError", false)) << refused;
  EXPECT_NE(refused.dump().find("confirm"), std::string::npos) << refused;
  EXPECT_TRUE(client.project_exists("doomed"));
  json deleted =
      client.call("delete-2", "project_delete", {{"project", "doomed"}, {"confirm", "doomed"}});
  EXPECT_FALSE(deleted["result"].value("isError", false)) << deleted;
  EXPECT_FALSE(client.project_exists("doomed"));
}

}  // namespace
}  // namespace benchtop::e2e
