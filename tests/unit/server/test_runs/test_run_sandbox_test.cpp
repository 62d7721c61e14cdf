// test_run through the real dev container (bubblewrap, cgroups), as the server wires it: the
// runner is detected on the workspace, runs inside the sandbox at /workspace, and its JUnit report
// is read back through the workspace.
#include <gtest/gtest.h>

#include <fstream>

#include "server/test_runs/runner_detection.h"
#include "server/test_runs/test_run_store.h"
#include "tests/support/sandbox_test_support.h"
#include "tools/test_runs/test_tools.h"

namespace benchtop {
namespace {

using nlohmann::json;

class TestRunSandboxTest : public testing::SandboxFixture {
 protected:
  void SetUp() override {
    SandboxFixture::SetUp();
    if (IsSkipped()) return;
    store_ = std::make_unique<test_runs::ProjectTestRunStore>(*repositories_.test_runs, *projects_);
    register_test_tools(registry_, *projects_, *manager_, *store_);
  }
  void TearDown() override {
    store_.reset();
    SandboxFixture::TearDown();
  }

  std::unique_ptr<test_runs::ProjectTestRunStore> store_;
  ToolRegistry registry_;
};

TEST_F(TestRunSandboxTest, PytestFailureIsReportedWithNameAndLineFromInsideTheSandbox) {
  if (exec("alpha", "python3 -m pytest --version").exit_code != 0) {
    GTEST_SKIP()
        << "pytest is not installed (scripts/setup.sh --with-tests installs python3-pytest)";
  }
  std::ofstream(alpha_.root / "test_sample.py")
      << "import os\n\ndef test_runs_in_the_sandbox():\n    assert os.getcwd() == '/workspace'\n\n"
         "def test_breaks():\n    assert 2 + 2 == 5\n";
  ToolContext context;
  auto result = registry_.call("test_run", {{"project", "alpha"}}, context);
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->is_error) << result->content.dump();
  const json& report = *result->structured;
  EXPECT_EQ(report["runner"], "pytest");
  EXPECT_EQ(report["passed"], 1) << report.dump(2);
  EXPECT_EQ(report["failed"], 1) << report.dump(2);
  ASSERT_EQ(report["failures"].size(), 1u);
  EXPECT_NE(report["failures"][0]["name"].get<std::string>().find("test_breaks"),
            std::string::npos);
  EXPECT_EQ(report["failures"][0]["line"], 7);
  EXPECT_FALSE(std::filesystem::exists(alpha_.root / test_runs::kJunitDirectory));
}

}  // namespace
}  // namespace benchtop
