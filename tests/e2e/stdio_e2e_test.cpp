// The real binary over stdio: framing on real pipes, hostile input, shutdown and the command line.
// These tests rely only on protocol methods and on tools/list, never on particular tools.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "e2e/server_process.h"
#include "server/mcp/protocol.h"
#include "transport/json_rpc.h"

namespace benchtop::e2e {
namespace {

using nlohmann::json;

constexpr const char* kModernMeta = R"({"io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
                                    R"("io.modelcontextprotocol/clientCapabilities":{}})";

// A benchtop stdio server in its own data directory, with JSON helpers on top of the raw pipes.
class StdioServer {
 public:
  explicit StdioServer(std::vector<std::string> extra_args = {})
      : process_(arguments(data_dir_, std::move(extra_args))) {}

  ServerProcess& process() { return process_; }

  void send(const json& message) { ASSERT_TRUE(process_.write_line(jsonrpc::serialize(message))); }
  void send_raw_line(std::string_view line) { ASSERT_TRUE(process_.write_line(line)); }

  // The next message on stdout; fails the test if it is missing or not a JSON-RPC object.
  json next() {
    std::optional<std::string> line = process_.read_line();
    if (!line) {
      ADD_FAILURE() << "no message on stdout; stderr:\n" << process_.stderr_text();
      return nullptr;
    }
    json message = json::parse(*line, nullptr, false);
    EXPECT_TRUE(message.is_object() && message.value("jsonrpc", "") == "2.0")
        << "not a JSON-RPC message on stdout: " << *line;
    return message;
  }

  json request(const json& id, const std::string& method, json params = json::object()) {
    send(jsonrpc::make_request(id, method, std::move(params)));
    json response = next();
    EXPECT_EQ(response.value("id", json()), id) << response;
    return response;
  }

  void expect_ping_answered(const json& id = "ping-after") {
    json response = request(id, "ping");
    EXPECT_TRUE(response.contains("result")) << response;
  }

  void initialize(const std::string& version = "2025-11-25") {
    json response = request("init", "initialize",
                            {{"protocolVersion", version},
                             {"capabilities", json::object()},
                             {"clientInfo", {{"name", "e2e"}, {"version", "1"}}}});
    ASSERT_EQ(response["result"]["protocolVersion"], version) << response;
    send(jsonrpc::make_notification("notifications/initialized"));
  }

 private:
  static std::vector<std::string> arguments(const TempDir& data_dir,
                                            std::vector<std::string> extra) {
    std::vector<std::string> args = {"stdio", "--data-dir", data_dir.path().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  TempDir data_dir_;
  ServerProcess process_;
};

void expect_error(const json& response, int code) {
  ASSERT_TRUE(response.contains("error")) << response;
  EXPECT_EQ(response["error"]["code"], code) << response;
  EXPECT_TRUE(response["error"]["message"].is_string()) << response;
}

TEST(StdioE2e, InitializeThenToolsList) {
  StdioServer server;
  server.initialize("2025-11-25");
  json response = server.request(2, "tools/list");
  ASSERT_TRUE(response["result"]["tools"].is_array()) << response;
  std::vector<std::string> names;
  for (const json& tool : response["result"]["tools"]) {
    names.push_back(tool.at("name").get<std::string>());
    EXPECT_TRUE(tool.contains("inputSchema")) << tool;
    EXPECT_TRUE(tool.contains("description")) << tool;
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_FALSE(response["result"].contains("resultType"));
}

TEST(StdioE2e, ModernRequestsWithoutAHandshake) {
  StdioServer server;
  json discover = server.request("d", "server/discover", {{"_meta", json::parse(kModernMeta)}});
  EXPECT_EQ(discover["result"]["resultType"], "complete") << discover;
  EXPECT_EQ(discover["result"]["supportedVersions"][0], "2026-07-28") << discover;
  EXPECT_EQ(discover["result"]["_meta"]["io.modelcontextprotocol/serverInfo"]["name"], "benchtop");

  json list = server.request("l", "tools/list", {{"_meta", json::parse(kModernMeta)}});
  EXPECT_TRUE(list["result"]["tools"].is_array()) << list;
  EXPECT_EQ(list["result"]["resultType"], "complete");

  json unsupported =
      server.request("u", "tools/list",
                     {{"_meta",
                       {{"io.modelcontextprotocol/protocolVersion", "1900-01-01"},
                        {"io.modelcontextprotocol/clientCapabilities", json::object()}}}});
  expect_error(unsupported, mcp::kUnsupportedProtocolVersion);
  EXPECT_EQ(unsupported["error"]["data"]["requested"], "1900-01-01");
}

TEST(StdioE2e, StdoutCarriesOnlyProtocolMessagesAndLogsGoToStderr) {
  StdioServer server({"--log-level", "debug"});
  server.initialize("2025-06-18");
  server.send(jsonrpc::make_request(2, "tools/list"));
  server.send(jsonrpc::make_request(3, "no/such/method"));
  server.send_raw_line("not json");
  server.send(jsonrpc::make_request(4, "tools/call", {{"name", "no_such_tool"}}));
  server.process().close_stdin();

  int lines = 0;
  while (std::optional<std::string> line = server.process().read_line()) {
    json message = json::parse(*line, nullptr, false);
    ASSERT_TRUE(message.is_object()) << "stdout line is not a JSON object: " << *line;
    EXPECT_EQ(message.value("jsonrpc", ""), "2.0") << *line;
    EXPECT_TRUE(message.contains("result") != message.contains("error")) << *line;
    ++lines;
  }
  EXPECT_EQ(lines, 4);  // tools/list, the unknown method, the parse error, the unknown tool
  EXPECT_EQ(server.process().wait_for_exit(), 0);
  EXPECT_NE(server.process().stderr_text().find("serving MCP on stdio"), std::string::npos);
}

TEST(StdioE2e, MalformedInputGetsTheRightErrorsAndTheServerCarriesOn) {
  StdioServer server({"--max-message-bytes", "4096"});
  server.initialize();

  server.send_raw_line("garbage that is not json");
  json garbage = server.next();
  expect_error(garbage, jsonrpc::kParseError);
  ASSERT_TRUE(garbage.contains("id")) << garbage;  // JSON-RPC 2.0: null when unreadable
  EXPECT_TRUE(garbage["id"].is_null()) << garbage;
  server.send_raw_line(R"({"jsonrpc":"2.0","id":"cut","method":"ping",)");
  json cut = server.next();
  expect_error(cut, jsonrpc::kParseError);
  EXPECT_EQ(cut["id"], "cut") << cut;
  server.expect_ping_answered(1);

  // Longer than the limit: refused, and the message after it on the same write still answered.
  ASSERT_TRUE(server.process().write(
      R"({"jsonrpc":"2.0","id":"big","method":"ping","params":{"p":")" + std::string(100000, 'x') +
      "\"}}\n" + R"({"jsonrpc":"2.0","id":"small","method":"ping"})" + "\n"));
  json too_large = server.next();
  expect_error(too_large, jsonrpc::kInvalidRequest);
  EXPECT_EQ(too_large["id"], "big") << too_large;  // read from the message's head
  EXPECT_NE(too_large["error"]["message"].get<std::string>().find("4096"), std::string::npos);
  EXPECT_EQ(server.next()["id"], "small");

  server.send_raw_line(
      "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\",\"params\":{\"s\":\"\xff\xfe\"}}");
  expect_error(server.next(), jsonrpc::kParseError);
  server.send_raw_line("\xc3\x28\xa0\xa1");
  expect_error(server.next(), jsonrpc::kParseError);
  server.expect_ping_answered(2);

  // Nested deeper than the parser accepts, but within the size limit.
  server.send_raw_line(std::string(4000, '['));
  expect_error(server.next(), jsonrpc::kParseError);
  server.send_raw_line(std::string(2000, '[') + std::string(2000, ']'));
  expect_error(server.next(), jsonrpc::kParseError);

  server.send_raw_line(R"([{"jsonrpc":"2.0","id":8,"method":"ping"}])");
  expect_error(server.next(), jsonrpc::kInvalidRequest);
  server.send_raw_line("{}");
  expect_error(server.next(), jsonrpc::kInvalidRequest);
  server.send_raw_line(R"({"jsonrpc":"2.0","id":9,"method":"ping","params":[1]})");
  json bad_params = server.next();
  expect_error(bad_params, jsonrpc::kInvalidParams);
  EXPECT_EQ(bad_params["id"], 9);
  server.send_raw_line("\r");  // a blank CRLF line is skipped, not answered
  server.expect_ping_answered(3);
  EXPECT_TRUE(server.process().running());
}

TEST(StdioE2e, DeeplyNestedMessagesDoNotCrashTheServer) {
  StdioServer server;
  server.initialize();
  constexpr size_t kDepth = 100000;
  std::string objects;
  for (size_t i = 0; i < kDepth; ++i) objects += "{\"a\":";
  objects += "1" + std::string(kDepth, '}');
  const std::string arrays = std::string(kDepth, '[') + "1" + std::string(kDepth, ']');

  for (const std::string& nested : {std::string(kDepth, '['), arrays, objects}) {
    server.send_raw_line(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":)" + nested +
                         "}}");
    expect_error(server.next(), jsonrpc::kParseError);
    server.expect_ping_answered();
  }
  server.send_raw_line(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":)"
                       R"({"name":"anything","arguments":{"x":)" +
                       objects + "}}}");
  expect_error(server.next(), jsonrpc::kParseError);
  server.expect_ping_answered();
  EXPECT_TRUE(server.process().running());
}

TEST(StdioE2e, EndOfInputExitsPromptlyWithCodeZero) {
  StdioServer server;
  server.initialize();
  server.process().close_stdin();
  EXPECT_EQ(server.process().wait_for_exit(5s), 0) << server.process().stderr_text();
}

// A one-shot client: requests piped in, input closed at once. A call still running at the end of
// input is finished and answered before the process exits.
TEST(StdioE2e, ACallRunningAtEndOfInputIsStillAnswered) {
  TempDir project;
  StdioServer server({"--root", project.path().string()});
  server.initialize();
  server.send(jsonrpc::make_request(
      7, "tools/call",
      {{"name", "shell_exec"}, {"arguments", {{"command", "sleep 0.3; echo finished"}}}}));
  server.process().close_stdin();
  json response = server.next();
  ASSERT_TRUE(response.is_object()) << "no answer after the end of input";
  ASSERT_EQ(response.value("id", json()), 7) << response;
  ASSERT_TRUE(response.contains("result")) << response;
  // The command ran to the end: not cancelled because the input ended.
  EXPECT_FALSE(response["result"].value("isError", false)) << response;
  EXPECT_NE(response["result"].dump().find("finished"), std::string::npos) << response;
  EXPECT_EQ(server.process().wait_for_exit(15s), 0) << server.process().stderr_text();
}

// A call blocked by a special file in the project (git reading a FIFO named .gitignore) does not
// keep the process alive after the end of input: after the drain period it is cancelled, which
// interrupts it, and the process exits.
TEST(StdioE2e, ACallBlockedOnAFifoDoesNotOutliveTheEndOfInput) {
  TempDir project;
  StdioServer server({"--root", project.path().string()});
  server.initialize();
  json init = server.request("init-git", "tools/call",
                             {{"name", "git_init"}, {"arguments", json::object()}});
  ASSERT_FALSE(init["result"].value("isError", false)) << init;
  ASSERT_EQ(::mkfifo((project.path() / ".gitignore").c_str(), 0644), 0);
  server.send(jsonrpc::make_request("status", "tools/call",
                                    {{"name", "git_status"}, {"arguments", json::object()}}));
  server.process().close_stdin();
  // The call is cancelled after the drain period (a cancelled request is not answered), and the
  // process ends instead of waiting for it forever.
  EXPECT_EQ(server.process().wait_for_exit(30s), 0) << server.process().stderr_text();
}

TEST(StdioE2e, EndOfInputBeforeAnyMessageExitsWithCodeZero) {
  StdioServer server;
  server.process().close_stdin();
  EXPECT_EQ(server.process().wait_for_exit(5s), 0) << server.process().stderr_text();
}

TEST(StdioE2e, ClientThatStopsReadingDoesNotKillTheServerWithSigpipe) {
  StdioServer server;
  server.initialize();
  server.process().close_stdout();
  for (int i = 0; i < 10; ++i) server.send(jsonrpc::make_request(100 + i, "ping"));
  server.process().close_stdin();
  EXPECT_EQ(server.process().wait_for_exit(5s), 0) << server.process().stderr_text();
}

TEST(StdioE2e, HelpAndVersionExitZero) {
  {
    ServerProcess help({"--help"});
    std::string out;
    while (auto line = help.read_line()) out += *line + "\n";
    EXPECT_EQ(help.wait_for_exit(), 0);
    EXPECT_NE(out.find("Usage"), std::string::npos) << out;
  }
  {
    ServerProcess version({"--version"});
    std::optional<std::string> line = version.read_line();
    ASSERT_TRUE(line.has_value());
    EXPECT_EQ(line->rfind("benchtop ", 0), 0u) << *line;
    EXPECT_EQ(version.wait_for_exit(), 0);
  }
}

// The default project's notes for agents are named in the instructions of both protocol eras,
// and listed as a resource a client can read.
TEST(StdioE2e, TheDefaultProjectsAgentsFileIsNamedInTheInstructions) {
  TempDir project;
  benchtop::testing::write_file(project.path() / "AGENTS.md", "Run the tests with `make check`.\n");
  StdioServer server({"--root", project.path().string()});
  json init = server.request("init", "initialize",
                             {{"protocolVersion", "2025-11-25"},
                              {"capabilities", json::object()},
                              {"clientInfo", {{"name", "e2e"}, {"version", "1"}}}});
  const std::string instructions = init["result"].value("instructions", "");
  server.send(jsonrpc::make_notification("notifications/initialized"));
  json discover = server.request("d", "server/discover", {{"_meta", json::parse(kModernMeta)}});
  EXPECT_EQ(discover["result"].value("instructions", ""), instructions);
  json listed = server.request("l", "resources/list", json::object());
  ASSERT_TRUE(listed["result"]["resources"].is_array()) << listed;
  ASSERT_EQ(listed["result"]["resources"].size(), 1u) << listed;
  const std::string uri = listed["result"]["resources"][0]["uri"];
  EXPECT_TRUE(uri.starts_with("benchtop://") && uri.ends_with("/AGENTS.md")) << uri;
  EXPECT_NE(instructions.find(uri), std::string::npos) << instructions;
  json read =
      server.request("r", "resources/read", {{"uri", listed["result"]["resources"][0]["uri"]}});
  EXPECT_EQ(read["result"]["contents"][0]["text"], "Run the tests with `make check`.\n") << read;
}

// `benchtop tools` prints the list and changes nothing: the data directory it is pointed at is
// not created (it builds on a temporary one of its own).
TEST(StdioE2e, ToolsCommandPrintsTheListAndWritesNothing) {
  TempDir parent;
  const std::filesystem::path data_dir = parent.path() / "never-created";
  ServerProcess tools({"tools", "--data-dir", data_dir.string()});
  std::string out;
  while (auto line = tools.read_line()) out += *line + "\n";
  EXPECT_EQ(tools.wait_for_exit(), 0) << tools.stderr_text();
  const json list = json::parse(out, nullptr, false);
  ASSERT_TRUE(list.is_array()) << out.substr(0, 200);
  EXPECT_GE(list.size(), 40u);
  EXPECT_FALSE(std::filesystem::exists(data_dir));
}

// A subscribed project file is watched: a change through a tool and one from outside the server
// (an editor) are both reported, each as notifications/resources/updated.
TEST(StdioE2e, ChangesOfASubscribedProjectFileAreReported) {
  TempDir project;
  StdioServer server({"--root", project.path().string()});
  server.initialize();
  json listed = server.request("list", "tools/call",
                               {{"name", "project_list"}, {"arguments", json::object()}});
  const std::string name = listed["result"]["structuredContent"]["projects"][0]["name"];
  const std::string uri = "benchtop://" + name + "/notes/todo.md";
  // The watch is on the file's directory, which must exist when subscribing; the file need not.
  std::filesystem::create_directory(project.path() / "notes");
  ASSERT_TRUE(server.request("sub", "resources/subscribe", {{"uri", uri}}).contains("result"));

  // Created through a tool.
  server.send(jsonrpc::make_request(
      "write", "tools/call",
      {{"name", "fs_write"}, {"arguments", {{"path", "notes/todo.md"}, {"content", "- a\n"}}}}));
  bool answered = false;
  bool notified = false;
  while (!answered || !notified) {
    json message = server.next();
    ASSERT_TRUE(message.is_object());
    if (message.value("id", json()) == "write") answered = true;
    if (message.value("method", "") == "notifications/resources/updated") {
      EXPECT_EQ(message["params"]["uri"], uri) << message;
      notified = true;
    }
  }

  // Written from outside the server.
  std::ofstream(project.path() / "notes" / "todo.md") << "- a\n- b\n";
  for (;;) {
    json message = server.next();
    ASSERT_TRUE(message.is_object());
    if (message.value("method", "") == "notifications/resources/updated") {
      EXPECT_EQ(message["params"]["uri"], uri) << message;
      break;
    }
  }
}

// The handshake is answered while the services are built; when building them fails (here a
// --root that does not exist), every request that needs them says why, and the process exits 1
// at the end of its input.
TEST(StdioE2e, AServerThatCannotStartSaysWhyToEveryRequest) {
  TempDir dir;
  const std::string missing = (dir.path() / "no-such-directory").string();
  StdioServer server({"--root", missing});
  server.initialize();
  for (const char* method : {"tools/list", "resources/list", "prompts/list"}) {
    json response = server.request(method, method);
    expect_error(response, jsonrpc::kInternalError);
    EXPECT_NE(response["error"]["message"].get<std::string>().find(missing), std::string::npos)
        << response;
  }
  server.expect_ping_answered();
  server.process().close_stdin();
  EXPECT_EQ(server.process().wait_for_exit(5s), 1) << server.process().stderr_text();
  EXPECT_NE(server.process().stderr_text().find(missing), std::string::npos)
      << server.process().stderr_text();
}

TEST(StdioE2e, BadCommandLinesExitTwo) {
  TempDir dir;
  const std::vector<std::vector<std::string>> bad = {
      {"stdio", "--data-dir", dir.path().string(), "--no-such-flag"},
      {"stdio", "--max-message-bytes", "lots"},
      {"stdio", "--data-dir"},
      {"no-such-command"},
  };
  for (const auto& args : bad) {
    ServerProcess process(args);
    EXPECT_EQ(process.wait_for_exit(), 2) << args.back();
    EXPECT_FALSE(process.stderr_text().empty()) << args.back();
    EXPECT_FALSE(process.read_line(1s).has_value()) << "wrote to stdout: " << args.back();
  }
}

}  // namespace
}  // namespace benchtop::e2e
