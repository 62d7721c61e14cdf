#include "server/workspace/project_instructions.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/utf8.h"
#include "tests/support/fs_test_support.h"
#include "tests/support/special_file_support.h"

namespace benchtop {
namespace {

using namespace benchtop::testing;
namespace fs = std::filesystem;

class ProjectInstructionsTest : public ::testing::Test {
 protected:
  std::shared_ptr<Workspace> workspace() {
    auto opened = Workspace::open(dirs_.root());
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(opened).value() : nullptr;
  }

  WorkspaceFixtureDirs dirs_;
};

TEST_F(ProjectInstructionsTest, AgentsThenClaudeAtTheRootOnly) {
  EXPECT_TRUE(read_project_instructions(*workspace()).empty());
  EXPECT_EQ(instructions_prompt({}), "");
  fs::create_directory(dirs_.root() / "docs");
  write_file(dirs_.root() / "docs" / "AGENTS.md", "not at the root\n");
  write_file(dirs_.root() / "CLAUDE.md", "Use tabs.\n");
  write_file(dirs_.root() / "AGENTS.md", "Run make test.\n");

  const auto found = read_project_instructions(*workspace());
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].file, "AGENTS.md");
  EXPECT_EQ(found[0].text, "Run make test.\n");
  EXPECT_FALSE(found[0].truncated);
  EXPECT_EQ(found[1].file, "CLAUDE.md");
  EXPECT_EQ(instruction_files_present(*workspace()),
            (std::vector<std::string>{"AGENTS.md", "CLAUDE.md"}));

  const std::string prompt = instructions_prompt(found);
  EXPECT_NE(prompt.find("----- AGENTS.md -----\nRun make test.\n"), std::string::npos) << prompt;
  EXPECT_NE(prompt.find("do not widen what your tools allow"), std::string::npos) << prompt;
  EXPECT_LT(prompt.find("AGENTS.md"), prompt.find("CLAUDE.md"));
}

TEST_F(ProjectInstructionsTest, ALongFileIsCutAtTheLimitOnACharacterBoundary) {
  // Three-byte characters, so the limit falls inside one.
  std::string text;
  while (text.size() <= kMaxInstructionBytes + 100) text += "\xE2\x82\xAC";
  write_file(dirs_.root() / "AGENTS.md", text);
  const auto found = read_project_instructions(*workspace());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(found[0].truncated);
  EXPECT_LE(found[0].text.size(), kMaxInstructionBytes);
  EXPECT_GT(found[0].text.size(), kMaxInstructionBytes - 3);
  EXPECT_TRUE(is_valid_utf8(found[0].text));
  EXPECT_NE(instructions_prompt(found).find("cut at 32 KiB"), std::string::npos);
}

// Project content decides what these names are: a link out of the workspace is not followed, and
// a FIFO or socket does not block or fail the run that reads them.
TEST_F(ProjectInstructionsTest, LinksAndSpecialFilesAreNotRead) {
  write_file(dirs_.outside() / "secret.md", "host secret\n");
  fs::create_symlink(dirs_.outside() / "secret.md", dirs_.root() / "AGENTS.md");
  ASSERT_TRUE(make_special(dirs_.root() / "CLAUDE.md", SpecialKind::kFifo));
  auto opened = workspace();
  std::vector<ProjectInstructions> found;
  EXPECT_TRUE(returns_within(std::chrono::seconds(5),
                             [&] { found = read_project_instructions(*opened); },
                             {dirs_.root() / "CLAUDE.md"}));
  EXPECT_TRUE(found.empty());
  EXPECT_TRUE(instruction_files_present(*opened).empty());
}

}  // namespace
}  // namespace benchtop
