// test_run and test_history: parsers on recorded runner output, runner detection, and real runs
// of small sample projects (pytest, node --test, ctest, go — each skipped when its toolchain is
// not installed) through a host CommandRunner test double, each with a failing test that must be
// reported with its name and line.
#include "tools/test_runs/test_tools.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "server/project/project_service.h"
#include "server/storage/data_dir.h"
#include "server/storage/sqlite/database.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "server/test_runs/parsers/junit_parser.h"
#include "server/test_runs/parsers/summary_parsers.h"
#include "server/test_runs/runner_detection.h"
#include "server/test_runs/test_run_store.h"
#include "tests/support/host_command_runner.h"
#include "tests/support/special_file_support.h"
#include "tests/support/temp_dir.h"
#include "tools/common/output_budget.h"

namespace benchtop {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_runs::TestCounts;

bool have(const std::string& probe) {
  return std::system((probe + " >/dev/null 2>&1").c_str()) == 0;
}

// ---- parsers ----------------------------------------------------------------------------------

TEST(JunitParser, PytestReportWithFileAndLine) {
  const std::string xml =
      R"(<?xml version="1.0"?><testsuites><testsuite name="pytest" tests="3">)"
      R"(<testcase classname="test_math" name="test_ok" file="test_math.py" line="0"/>)"
      R"(<testcase classname="test_math" name="test_bad" file="test_math.py" line="3">)"
      R"(<failure message="assert 2 == 3">def test_bad():
&gt;       assert x == 3
E       assert 2 == 3

test_math.py:6: AssertionError</failure></testcase>)"
      R"(<testcase classname="test_math" name="test_skip"><skipped message="s"/></testcase>)"
      R"(</testsuite></testsuites>)";
  auto counts = test_runs::parse_junit(xml);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->passed, 1);
  EXPECT_EQ(counts->failed, 1);
  EXPECT_EQ(counts->skipped, 1);
  ASSERT_EQ(counts->failures.size(), 1u);
  EXPECT_EQ(counts->failures[0].name, "test_math::test_bad");
  EXPECT_EQ(counts->failures[0].file, "test_math.py");
  EXPECT_EQ(counts->failures[0].line, 6);
  EXPECT_EQ(counts->failures[0].message, "assert 2 == 3");
}

TEST(JunitParser, ErrorsAndInvalidXml) {
  auto counts = test_runs::parse_junit(
      R"(<testsuite><testcase name="a"><error message="boom"/></testcase></testsuite>)");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->errors, 1);
  EXPECT_EQ(counts->failures[0].kind, test_runs::FailureKind::kError);
  EXPECT_FALSE(test_runs::parse_junit("<testsuite><testcase").ok());
}

TEST(SummaryParsers, Pytest) {
  TestCounts counts = test_runs::parse_pytest_summary(
      "FAILED test_a.py::test_x - assert 1 == 2\n"
      "========= 1 failed, 4 passed, 2 skipped in 0.31s =========\n");
  EXPECT_TRUE(counts.parsed);
  EXPECT_EQ(counts.passed, 4);
  EXPECT_EQ(counts.failed, 1);
  EXPECT_EQ(counts.skipped, 2);
  ASSERT_EQ(counts.failures.size(), 1u);
  EXPECT_EQ(counts.failures[0].name, "test_a.py::test_x");
}

TEST(SummaryParsers, NodeTap) {
  TestCounts counts = test_runs::parse_tap_summary(
      "not ok 2 - fails\n  ---\n  location: '/workspace/math.test.js:3:1'\n  error: 'Expected "
      "values to be strictly equal'\n  ...\n# pass 1\n# fail 1\n# skipped 1\n");
  EXPECT_EQ(counts.passed, 1);
  EXPECT_EQ(counts.failed, 1);
  EXPECT_EQ(counts.skipped, 1);
  ASSERT_EQ(counts.failures.size(), 1u);
  EXPECT_EQ(counts.failures[0].line, 3);
}

TEST(SummaryParsers, GoJson) {
  TestCounts counts = test_runs::parse_go_json(
      R"({"Action":"run","Package":"m","Test":"TestOk"}
{"Action":"pass","Package":"m","Test":"TestOk"}
{"Action":"output","Package":"m","Test":"TestBad","Output":"    math_test.go:9: want 3, got 2\n"}
{"Action":"fail","Package":"m","Test":"TestBad"}
{"Action":"fail","Package":"m"}
)");
  EXPECT_EQ(counts.passed, 1);
  EXPECT_EQ(counts.failed, 1);
  ASSERT_EQ(counts.failures.size(), 1u);
  EXPECT_EQ(counts.failures[0].file, "math_test.go");
  EXPECT_EQ(counts.failures[0].line, 9);
  EXPECT_EQ(counts.failures[0].message, "want 3, got 2");
}

// The events come from code in the project: a member of the wrong type is skipped, not thrown on
// (found by fuzz_test_output; its input is in fuzz/corpus/fuzz_test_output/wrong_member_types).
TEST(SummaryParsers, GoJsonMembersOfTheWrongTypeAreIgnored) {
  TestCounts counts = test_runs::parse_go_json(
      R"({"Action":5,"Package":"m","Test":"TestA"}
{"Action":"fail","Package":["m"],"Test":"TestB"}
{"Action":"output","Package":"m","Test":"TestC","Output":{"x":1}}
{"Action":"fail","Package":"m","Test":7}
{"Action":"pass","Package":"m","Test":"TestC"}
)");
  EXPECT_EQ(counts.passed, 1);
  EXPECT_EQ(counts.failed, 1);
  ASSERT_EQ(counts.failures.size(), 1u);
  EXPECT_EQ(counts.failures[0].name, "TestB");
}

// Found by fuzz_test_output (corpus file huge_line_number): a line number beyond int threw.
TEST(SummaryParsers, ALineNumberTooLargeIsNoLocation) {
  TestCounts counts = test_runs::parse_go_json(
      R"({"Action":"output","Package":"m","Test":"TestBig","Output":"    a_test.go:99999999999999999999: boom\n"}
{"Action":"fail","Package":"m","Test":"TestBig"}
)");
  ASSERT_EQ(counts.failures.size(), 1u);
  EXPECT_FALSE(counts.failures[0].line);
}

TEST(SummaryParsers, CargoAndCtest) {
  TestCounts cargo = test_runs::parse_cargo_summary(
      "---- tests::bad stdout ----\nthread 'tests::bad' panicked at src/lib.rs:12:9:\n"
      "assertion failed\ntest result: FAILED. 3 passed; 1 failed; 2 ignored; 0 measured\n");
  EXPECT_EQ(cargo.passed, 3);
  EXPECT_EQ(cargo.failed, 1);
  EXPECT_EQ(cargo.skipped, 2);
  ASSERT_EQ(cargo.failures.size(), 1u);
  EXPECT_EQ(cargo.failures[0].file, "src/lib.rs");
  EXPECT_EQ(cargo.failures[0].line, 12);
  TestCounts ctest = test_runs::parse_ctest_summary(
      "75% tests passed, 1 tests failed out of 4\n\nThe following tests FAILED:\n\t  2 - bad "
      "(Failed)\n");
  EXPECT_EQ(ctest.passed, 3);
  EXPECT_EQ(ctest.failed, 1);
  EXPECT_EQ(ctest.failures[0].name, "bad");
  // More failures than tests is not ctest's line (found by fuzz_test_output: it gave -1 passed).
  TestCounts impossible =
      test_runs::parse_ctest_summary("75% tests passed, 1 tests failed out of 0\n");
  EXPECT_FALSE(impossible.parsed);
  EXPECT_EQ(impossible.passed, 0);
}

// ---- tools on sample projects -----------------------------------------------------------------

class TestToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DataDir data(temp_.path() / "data");
    auto database = Database::open(data.database_file(), benchtop_migrations());
    ASSERT_TRUE(database.ok()) << database.error().message;
    database_ = std::move(database).value();
    repositories_ = make_sqlite_repositories(*database_);
    projects_ = std::make_unique<ProjectService>(*repositories_.projects, data.workspaces_dir());
    fs::create_directory(root());
    ASSERT_TRUE(projects_->register_root(root()).ok());
    store_ = std::make_unique<test_runs::ProjectTestRunStore>(*repositories_.test_runs, *projects_);
    runner_ = std::make_unique<testing::HostCommandRunner>(*projects_);
    register_test_tools(registry_, *projects_, *runner_, *store_);
  }

  fs::path root() const { return temp_.path() / "project"; }
  void write(const std::string& relative, const std::string& content) {
    testing::write_file(root() / relative, content);
  }
  ToolResult call(const std::string& tool, const json& arguments) {
    ToolContext context;
    auto result = registry_.call(tool, arguments, context);
    return result ? *result : ToolResult::error("no tool");
  }
  json run(const json& arguments = json::object()) {
    ToolResult result = call("test_run", arguments);
    EXPECT_FALSE(result.is_error) << result.content.dump();
    return result.structured.value_or(json::object());
  }
  // test_run of a command that prints `count` failures the way pytest lists them (`message` may
  // use the shell's $i, the failure's number), then pytest's summary line.
  ToolResult run_failing(int count, const std::string& file, const std::string& message) {
    const std::string n = std::to_string(count);
    ToolResult result = call(
        "test_run",
        {{"command", "for i in $(seq 1 " + n + "); do echo \"FAILED " + file + "::test_$i - " +
                         message + "\"; done; echo '=== " + n + " failed in 0.5s ==='; exit 1"}});
    EXPECT_FALSE(result.is_error) << result.content.dump().substr(0, 300);
    return result;
  }
  static const json& failure_named(const json& report, const std::string& needle) {
    for (const auto& failure : report["failures"]) {
      if (failure["name"].get<std::string>().find(needle) != std::string::npos) return failure;
    }
    ADD_FAILURE() << "no failure named " << needle << " in " << report.dump(2);
    static const json none = json::object();
    return none;
  }

  testing::TempDir temp_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;  // over database_
  std::unique_ptr<ProjectService> projects_;
  std::unique_ptr<test_runs::ProjectTestRunStore> store_;
  std::unique_ptr<testing::HostCommandRunner> runner_;
  ToolRegistry registry_;
};

TEST_F(TestToolsTest, NoRunnerDetectedSaysWhatToDo) {
  ToolResult result = call("test_run", json::object());
  ASSERT_TRUE(result.is_error);
  EXPECT_NE(result.content.dump().find("command"), std::string::npos);
  EXPECT_EQ(runner_->runs, 0);
}

TEST_F(TestToolsTest, OptionLikeAndOutsidePathsAreRefused) {
  write("test_a.py", "def test_a():\n    pass\n");
  EXPECT_TRUE(call("test_run", {{"paths", {"--co"}}}).is_error);
  EXPECT_TRUE(call("test_run", {{"paths", {"../data"}}}).is_error);
  EXPECT_EQ(runner_->runs, 0);
}

TEST_F(TestToolsTest, CustomCommandWithoutFailingTestsStillReportsTheFailure) {
  json report = run({{"command", "echo compiling; exit 2"}});
  EXPECT_EQ(report["runner"], "custom");
  EXPECT_EQ(report["exit_code"], 2);
  EXPECT_EQ(report["errors"], 1);
  EXPECT_NE(report["output_tail"].get<std::string>().find("compiling"), std::string::npos);
}

TEST_F(TestToolsTest, ManyFailuresKeepTheTextWithinTheBudgetAndEveryFailureStructured) {
  ToolResult result = run_failing(2000, "test_a.py",
                                  "assert $i == 0, and a message long enough to fill the budget");
  const std::string text = result.content.at(0).at("text");
  EXPECT_LE(text.size(), kDefaultOutputBudget + 300);
  EXPECT_NE(text.find("- test_a.py::test_1 (test_a.py): assert 1 == 0"), std::string::npos);
  EXPECT_NE(text.find("- test_a.py::test_2000 (test_a.py): assert 2000 == 0"), std::string::npos);
  EXPECT_NE(text.find("2000 failures in all, each in structuredContent's `failures`"),
            std::string::npos);
  EXPECT_NE(text.find("--- output tail ---"), std::string::npos);
  ASSERT_TRUE(result.structured);
  EXPECT_EQ((*result.structured)["failures"].size(), 2000u);
}

TEST_F(TestToolsTest, TheOutputTailGivesWayToTheFailures) {
  // 260 failures of about 115 bytes fill most of the budget; the output tail gets the rest.
  ToolResult result = run_failing(260, "test_b.py", "$(printf 'x%.0s' $(seq 1 80))");
  const std::string text = result.content.at(0).at("text");
  EXPECT_LE(text.size(), kDefaultOutputBudget + 100);
  EXPECT_NE(text.find("- test_b.py::test_260 (test_b.py): x"), std::string::npos);
  EXPECT_EQ(text.find("failures in all"), std::string::npos) << "every failure fits";
  EXPECT_NE(text.find("bytes of the output tail left out: structuredContent's output_tail has it"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("=== 260 failed in 0.5s ==="), std::string::npos)
      << "the end of the output is kept";
}

TEST_F(TestToolsTest, Pytest) {
  if (!have("pytest --version") && !have("python3 -m pytest --version")) {
    GTEST_SKIP() << "pytest not installed";
  }
  write("test_math.py",
        "import pytest\n\ndef test_adds():\n    assert 1 + 1 == 2\n\ndef test_breaks():\n"
        "    total = 1 + 1\n    assert total == 3\n\n@pytest.mark.skip\ndef test_later():\n"
        "    pass\n");
  json report = run();
  EXPECT_EQ(report["runner"], "pytest");
  EXPECT_EQ(report["source"], "junit");
  EXPECT_EQ(report["passed"], 1);
  EXPECT_EQ(report["failed"], 1);
  EXPECT_EQ(report["skipped"], 1);
  const json& failure = failure_named(report, "test_breaks");
  EXPECT_EQ(failure["file"], "test_math.py");
  EXPECT_EQ(failure["line"], 8);
  EXPECT_FALSE(fs::exists(root() / test_runs::kJunitDirectory));  // report cleaned up

  // Fix it: history shows the fix.
  write("test_math.py",
        "def test_adds():\n    assert 1 + 1 == 2\n\ndef test_breaks():\n"
        "    assert 2 == 2\n");
  json fixed = run();
  EXPECT_EQ(fixed["failed"], 0);
  ToolResult history = call("test_history", json::object());
  ASSERT_FALSE(history.is_error);
  EXPECT_EQ((*history.structured)["runs"].size(), 2u);
  EXPECT_EQ((*history.structured)["fixed"], json::array({"test_math::test_breaks"}));
}

TEST_F(TestToolsTest, NodeTestRunner) {
  if (!have("node --version")) GTEST_SKIP() << "node not installed";
  write("math.test.js",
        "const test = require('node:test');\nconst assert = require('node:assert');\n"
        "test('adds', () => { assert.strictEqual(1 + 1, 2); });\n"
        "test('breaks', () => {\n  assert.strictEqual(1 + 1, 3);\n});\n");
  json report = run();
  EXPECT_EQ(report["runner"], "node");
  EXPECT_EQ(report["passed"], 1);
  EXPECT_EQ(report["failed"], 1);
  const json& failure = failure_named(report, "breaks");
  EXPECT_EQ(failure["file"], "math.test.js");
  EXPECT_EQ(failure["line"], 5);
}

TEST_F(TestToolsTest, Ctest) {
  if (!have("ctest --version") || !have("cmake --version")) GTEST_SKIP() << "cmake not installed";
  write("CMakeLists.txt",
        "cmake_minimum_required(VERSION 3.20)\nproject(sample NONE)\nenable_testing()\n"
        "add_test(NAME good COMMAND sh ${CMAKE_SOURCE_DIR}/check.sh 1)\n"
        "add_test(NAME bad COMMAND sh ${CMAKE_SOURCE_DIR}/check.sh 0)\n");
  write("check.sh",
        "if [ \"$1\" = 1 ]; then exit 0; fi\necho \"check.sh:2: expected 1, got $1\"\n"
        "exit 1\n");
  json report = run();
  EXPECT_EQ(report["runner"], "ctest");
  EXPECT_EQ(report["passed"], 1);
  EXPECT_EQ(report["failed"], 1);
  const json& failure = failure_named(report, "bad");
  EXPECT_EQ(failure["file"], "check.sh");
  EXPECT_EQ(failure["line"], 2);
}

TEST_F(TestToolsTest, GoTest) {
  if (!have("go version")) GTEST_SKIP() << "go not installed";
  write("go.mod", "module sample\n\ngo 1.19\n");
  write("math_test.go",
        "package sample\n\nimport \"testing\"\n\nfunc TestAdds(t *testing.T) {}\n\n"
        "func TestBreaks(t *testing.T) {\n\tt.Errorf(\"want 3, got %d\", 2)\n}\n");
  json report = run();
  EXPECT_EQ(report["runner"], "go");
  EXPECT_EQ(report["failed"], 1);
  const json& failure = failure_named(report, "TestBreaks");
  EXPECT_EQ(failure["line"], 8);
}

TEST_F(TestToolsTest, DetectionPrefersTheProjectsOwnScript) {
  write("package.json", R"({"scripts": {"test": "echo '# pass 3' && echo '# fail 0'"}})");
  json report = run();
  EXPECT_EQ(report["runner"], "npm");
  EXPECT_NE(report["detection"].get<std::string>().find("package.json"), std::string::npos);
  EXPECT_EQ(report["passed"], 3);
}

// The report is read from the workspace after tests the project controls have run: a FIFO they
// leave at its path (here: a pytest hook that runs after the report was written) is refused, not
// waited on, and the counts come from the output instead.
TEST_F(TestToolsTest, AFifoAtTheReportPathDoesNotHoldTheRun) {
  if (!have("pytest --version") && !have("python3 -m pytest --version")) {
    GTEST_SKIP() << "pytest not installed";
  }
  write("test_one.py", "def test_ok():\n    assert True\n");
  write("conftest.py",
        "import os, pytest\n\n@pytest.hookimpl(trylast=True)\n"
        "def pytest_sessionfinish(session):\n"
        "    path = os.path.join(os.getcwd(), '" +
            std::string(test_runs::kJunitFile) +
            "')\n"
            "    if os.path.exists(path):\n"
            "        os.remove(path)\n"
            "    os.mkfifo(path)\n");
  const fs::path report = root() / test_runs::kJunitFile;
  json result;
  EXPECT_TRUE(testing::returns_within(std::chrono::seconds(60), [&] { result = run(); }, {report}));
  EXPECT_EQ(result["runner"], "pytest") << result.dump();
  EXPECT_NE(result["source"], "junit") << result.dump();
  EXPECT_EQ(result["passed"], 1) << result.dump();
}

}  // namespace
}  // namespace benchtop
