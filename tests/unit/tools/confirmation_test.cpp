#include "tools/common/confirmation.h"

#include <gtest/gtest.h>

namespace benchtop {
namespace {

using nlohmann::json;

// A context whose client answers every elicitation with `answer` (or the error), recording it.
struct FakeClient {
  json capabilities = json::object();
  Result<json> answer = json::object();
  int asked = 0;
  std::string last_message;

  ToolContext context() {
    ToolContext context({}, {}, capabilities, "2025-11-25");
    ToolContext::ClientChannel channel;
    channel.request = [this](const std::string& method, const json& params,
                             const std::string&) -> Result<json> {
      EXPECT_EQ(method, "elicitation/create");
      ++asked;
      last_message = params.value("message", "");
      return answer;
    };
    context.set_client_channel(std::move(channel));
    return context;
  }
};

TEST(ConfirmDestructive, WithoutElicitationTheArgumentDecides) {
  FakeClient client;
  ToolContext context = client.context();
  EXPECT_FALSE(confirm_destructive(context, "Delete?", true, "say yes"));
  auto refused = confirm_destructive(context, "Delete?", false, "set confirm");
  ASSERT_TRUE(refused);
  EXPECT_TRUE(refused->is_error);
  EXPECT_EQ(refused->content[0]["text"], "set confirm");
  EXPECT_EQ(client.asked, 0);
}

TEST(ConfirmDestructive, WithElicitationTheUserDecides) {
  FakeClient client;
  client.capabilities = {{"elicitation", json::object()}};
  client.answer = json{{"action", "accept"}, {"content", {{"confirm", true}}}};
  ToolContext context = client.context();
  // The model's own confirmation is not enough: the user is asked even when it is given.
  EXPECT_FALSE(confirm_destructive(context, "Delete x?", true, ""));
  EXPECT_EQ(client.asked, 1);
  EXPECT_EQ(client.last_message, "Delete x?");

  for (json answer : {json{{"action", "decline"}}, json{{"action", "cancel"}},
                      json{{"action", "accept"}, {"content", {{"confirm", false}}}}}) {
    client.answer = answer;
    auto refused = confirm_destructive(context, "Delete x?", true, "");
    ASSERT_TRUE(refused) << answer;
    EXPECT_TRUE(refused->is_error);
  }
}

TEST(ConfirmDestructive, AClientThatCannotBeAskedFallsBackOnlyWhenNothingWasAsked) {
  FakeClient client;
  client.capabilities = {{"elicitation", json::object()}};
  client.answer = Error::make("gone", "timeout");
  ToolContext context = client.context();
  // A failed question is not a yes, whatever the argument says.
  EXPECT_TRUE(confirm_destructive(context, "Delete?", true, ""));
  client.answer = Error::make("no channel", ToolContext::kNoClient);
  EXPECT_FALSE(confirm_destructive(context, "Delete?", true, ""));
}

}  // namespace
}  // namespace benchtop
