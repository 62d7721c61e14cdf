// The devcontainer_*, shell_exec and process_* tools through the registry (schemas validated on
// the way in and out), on real sandboxes.
#include "tools/exec/exec_tools.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "server/mcp/registry/tool_registry.h"
#include "tests/support/sandbox_test_support.h"
#include "tools/common/output_budget.h"

namespace benchtop::testing {
namespace {

using nlohmann::json;

class ExecToolsTest : public SandboxToolFixture {
 protected:
  void SetUp() override {
    SandboxToolFixture::SetUp();
    if (IsSkipped()) return;
    register_exec_tools(registry_, *manager_);
  }
};

TEST_F(ExecToolsTest, ShellExecReturnsStructuredResult) {
  auto result = call("shell_exec", {{"project", "alpha"},
                                    {"command", "cat; echo to-err >&2; exit 3"},
                                    {"stdin", "fed\n"},
                                    {"env", {{"GREETING", "hi"}}}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  const json& out = *result.structured;
  EXPECT_EQ(out["exit_code"], 3);
  EXPECT_TRUE(out["signal"].is_null());
  EXPECT_EQ(out["stdout"], "fed\n");
  EXPECT_EQ(out["stderr"], "to-err\n");
  EXPECT_EQ(out["timed_out"], false);
  EXPECT_NE(text_of(result).find("Exit code 3"), std::string::npos);

  auto env = call("shell_exec", {{"project", "alpha"},
                                 {"command", "echo $GREETING $HOME"},
                                 {"env", {{"GREETING", "hi"}}},
                                 {"cwd", "."}});
  EXPECT_EQ((*env.structured)["stdout"], "hi /home/dev\n");
}

TEST_F(ExecToolsTest, AFloodOfOutputCostsTheBudgetOnceAndSaysHowToGetTheRest) {
  auto flood = call("shell_exec", {{"project", "alpha"}, {"command", "seq 1 300000"}});
  ASSERT_FALSE(flood.is_error) << text_of(flood);
  const std::string whole = flood.to_json().dump();
  EXPECT_LE(whole.size(), 40000u);
  const std::string text = text_of(flood);
  EXPECT_NE(text.find("\n1\n2\n3\n"), std::string::npos);
  EXPECT_NE(text.find("299999\n300000\n"), std::string::npos);
  EXPECT_NE(text.find("bytes left out: redirect it to a file"), std::string::npos);
  EXPECT_LE((*flood.structured)["stdout"].get<std::string>().size(), 600u);
  EXPECT_GT((*flood.structured)["stdout_elided_bytes"].get<uint64_t>(), 1900000u);

  auto more =
      call("shell_exec",
           {{"project", "alpha"}, {"command", "seq 1 300000"}, {"max_output_bytes", 100000}});
  ASSERT_FALSE(more.is_error) << text_of(more);
  EXPECT_GT(text_of(more).size(), 90000u);
  EXPECT_LE(text_of(more).size(), 100200u);
}

TEST_F(ExecToolsTest, StdinForACommandThatNeverReadsIt) {
  // The command exits at once; writing 4 MiB to its stdin must end in EPIPE, not in SIGPIPE.
  auto result = call(
      "shell_exec",
      {{"project", "alpha"}, {"command", "exit 0"}, {"stdin", std::string(4 * 1024 * 1024, 'x')}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ((*result.structured)["exit_code"], 0);
}

TEST_F(ExecToolsTest, ShellExecTimeoutAndBadCwd) {
  auto result =
      call("shell_exec", {{"project", "alpha"}, {"command", "sleep 30"}, {"timeout_ms", 200}});
  ASSERT_FALSE(result.is_error);
  EXPECT_EQ((*result.structured)["timed_out"], true);
  EXPECT_EQ((*result.structured)["signal"], 9);
  EXPECT_TRUE((*result.structured)["exit_code"].is_null());

  auto escape = call("shell_exec", {{"project", "alpha"}, {"command", "pwd"}, {"cwd", "../x"}});
  EXPECT_TRUE(escape.is_error);
  EXPECT_NE(text_of(escape).find(".."), std::string::npos);
}

TEST_F(ExecToolsTest, ShellExecStreamsOutputAsProgress) {
  std::vector<std::string> messages;
  std::mutex mutex;
  ToolContext context(
      CancellationToken(),
      [&](double, std::optional<double>, const std::string& message) {
        std::lock_guard lock(mutex);
        messages.push_back(message);
      },
      json::object(), "2025-06-18");
  auto result =
      call("shell_exec", {{"project", "alpha"}, {"command", "echo streamed-line"}}, context);
  ASSERT_FALSE(result.is_error);
  std::string all;
  for (const auto& message : messages) all += message;
  EXPECT_NE(all.find("streamed-line"), std::string::npos);
}

TEST_F(ExecToolsTest, KillSwitchRefusesEveryExecTool) {
  manager_->set_exec_enabled(false);
  for (const auto& [name, arguments] : std::vector<std::pair<std::string, json>>{
           {"shell_exec", {{"project", "alpha"}, {"command", "true"}}},
           {"process_start", {{"project", "alpha"}, {"command", "true"}}}}) {
    auto result = call(name, arguments);
    EXPECT_TRUE(result.is_error) << name;
    EXPECT_NE(text_of(result).find("disabled"), std::string::npos) << name;
  }
  ExecRequest request;
  request.command = "true";
  auto direct = manager_->run("alpha", request, CancellationToken());
  ASSERT_FALSE(direct.ok());
  EXPECT_EQ(direct.error().code, "exec_disabled");
  manager_->set_exec_enabled(true);
  EXPECT_FALSE(call("shell_exec", {{"project", "alpha"}, {"command", "true"}}).is_error);
}

TEST_F(ExecToolsTest, DevcontainerLifecycle) {
  auto ensured = call("devcontainer_ensure",
                      {{"project", "alpha"}, {"memory_mb", 256}, {"pids", 100}, {"cpus", 0.5}});
  ASSERT_FALSE(ensured.is_error) << text_of(ensured);
  EXPECT_EQ((*ensured.structured)["status"], "running");
  EXPECT_EQ((*ensured.structured)["limits"]["memory_bytes"], 256 * 1024 * 1024);
  EXPECT_EQ((*ensured.structured)["limits"]["cpus"], 0.5);
  EXPECT_EQ((*ensured.structured)["backend"], "bwrap");
  // The text shows sizes in human units; structuredContent keeps the exact count above.
  EXPECT_NE(text_of(ensured).find("limits: memory 256 MiB, pids 100"), std::string::npos)
      << text_of(ensured);

  auto status = call("devcontainer_status", {{"project", "alpha"}});
  ASSERT_FALSE(status.is_error) << text_of(status);
  auto suspended = call("devcontainer_suspend", {{"project", "alpha"}});
  ASSERT_FALSE(suspended.is_error) << text_of(suspended);
  EXPECT_EQ((*suspended.structured)["status"], "suspended");
  auto resumed = call("devcontainer_resume", {{"project", "alpha"}});
  EXPECT_EQ((*resumed.structured)["status"], "running");

  auto refused = call("devcontainer_destroy", {{"project", "alpha"}, {"confirm", "beta"}});
  EXPECT_TRUE(refused.is_error);
  auto destroyed = call("devcontainer_destroy", {{"project", "alpha"}, {"confirm", "alpha"}});
  ASSERT_FALSE(destroyed.is_error) << text_of(destroyed);
  EXPECT_EQ((*destroyed.structured)["status"], "stopped");
}

TEST_F(ExecToolsTest, ProcessReadKeepsHeadAndTailWithinTheBudgetAndTheOffsetOfTheRest) {
  auto started = call("process_start", {{"project", "alpha"}, {"command", "seq 1 100000"}});
  ASSERT_FALSE(started.is_error) << text_of(started);
  const std::string id = (*started.structured)["process_id"];
  ToolResult read;
  ASSERT_TRUE(eventually([&] {
    read = call("process_read", {{"project", "alpha"}, {"process_id", id}});
    return !(*read.structured)["running"].get<bool>();
  }));
  const std::string output = (*read.structured)["output"];
  EXPECT_LE(output.size(), kDefaultOutputBudget);
  EXPECT_EQ(output.substr(0, 6), "1\n2\n3\n");
  EXPECT_LE(text_of(read).size(), kDefaultOutputBudget + 300);
  static const std::regex kMarker(
      R"(\[\.\.\. (\d+) bytes left out: read them with process_read since=(\d+) \.\.\.\])");
  std::smatch marker;
  ASSERT_TRUE(std::regex_search(output, marker, kMarker)) << output.substr(0, 200);
  EXPECT_GT(std::stoull(marker[1]), 100000u);
  // Reading from that offset goes on where the head stopped.
  const std::string head = output.substr(0, output.find("[..."));
  EXPECT_EQ(std::stoull(marker[2]), head.size());
  auto middle = call("process_read",
                     {{"project", "alpha"}, {"process_id", id}, {"since", std::stoull(marker[2])}});
  const std::string rest = (*middle.structured)["output"];
  const std::string next_line = std::to_string(std::count(head.begin(), head.end(), '\n') + 1);
  EXPECT_EQ(rest.substr(0, next_line.size() + 1), next_line + "\n") << rest.substr(0, 40);
}

TEST_F(ExecToolsTest, ProcessToolsRoundTrip) {
  auto started =
      call("process_start",
           {{"project", "alpha"}, {"command", "echo ready; while read l; do echo re:$l; done"}});
  ASSERT_FALSE(started.is_error) << text_of(started);
  const std::string id = (*started.structured)["process_id"];
  ASSERT_TRUE(eventually([&] {
    auto read = call("process_read", {{"project", "alpha"}, {"process_id", id}});
    return (*read.structured)["output"] == "ready\n";
  }));
  ASSERT_FALSE(
      call("process_write", {{"project", "alpha"}, {"process_id", id}, {"input", "x\n"}}).is_error);
  ASSERT_TRUE(eventually([&] {
    auto read = call("process_read", {{"project", "alpha"}, {"process_id", id}, {"since", 6}});
    return (*read.structured)["output"] == "re:x\n";
  }));
  auto tail = call("process_read", {{"project", "alpha"}, {"process_id", id}, {"tail", 3}});
  EXPECT_EQ((*tail.structured)["output"], ":x\n");
  auto listed = call("process_list", {{"project", "alpha"}});
  EXPECT_EQ((*listed.structured)["processes"].size(), 1u);
  auto killed =
      call("process_kill", {{"project", "alpha"}, {"process_id", id}, {"signal", "KILL"}});
  ASSERT_FALSE(killed.is_error) << text_of(killed);
  EXPECT_EQ((*killed.structured)["running"], false);
  EXPECT_TRUE(call("process_read", {{"project", "alpha"}, {"process_id", "proc-999"}}).is_error);
  // Ids belong to their project: another project's tools do not find this process.
  ASSERT_TRUE(projects_->create("gamma", "").ok());
  auto foreign = call("process_read", {{"project", "gamma"}, {"process_id", id}});
  EXPECT_TRUE(foreign.is_error);
  EXPECT_NE(text_of(foreign).find("no process"), std::string::npos) << text_of(foreign);
}

TEST_F(ExecToolsTest, ProcessKillReportsTheFinalState) {
  // A TERM handler that takes a moment: the result shows the process ended, not "running".
  auto started =
      call("process_start",
           {{"project", "alpha"},
            {"command", "trap 'sleep 0.3; exit 7' TERM; echo up; while :; do sleep 0.05; done"}});
  ASSERT_FALSE(started.is_error) << text_of(started);
  const std::string id = (*started.structured)["process_id"];
  ASSERT_TRUE(eventually([&] {
    auto read = call("process_read", {{"project", "alpha"}, {"process_id", id}});
    return (*read.structured)["output"] == "up\n";
  }));
  auto stopped = call("process_kill", {{"project", "alpha"}, {"process_id", id}});
  ASSERT_FALSE(stopped.is_error) << text_of(stopped);
  EXPECT_EQ((*stopped.structured)["running"], false) << text_of(stopped);
  EXPECT_EQ((*stopped.structured)["exit_code"], 7) << text_of(stopped);

  // One that ignores TERM is reported as still running, with what to do.
  auto stubborn = call("process_start", {{"project", "alpha"},
                                         {"command", "trap '' TERM; echo up; exec sleep 600"}});
  ASSERT_FALSE(stubborn.is_error) << text_of(stubborn);
  const std::string stubborn_id = (*stubborn.structured)["process_id"];
  ASSERT_TRUE(eventually([&] {
    auto read = call("process_read", {{"project", "alpha"}, {"process_id", stubborn_id}});
    return (*read.structured)["output"] == "up\n";
  }));
  auto ignored = call("process_kill", {{"project", "alpha"}, {"process_id", stubborn_id}});
  ASSERT_FALSE(ignored.is_error) << text_of(ignored);
  EXPECT_EQ((*ignored.structured)["running"], true);
  EXPECT_NE(text_of(ignored).find("signal KILL"), std::string::npos) << text_of(ignored);
  call("process_kill", {{"project", "alpha"}, {"process_id", stubborn_id}, {"signal", "KILL"}});
}

}  // namespace
}  // namespace benchtop::testing
