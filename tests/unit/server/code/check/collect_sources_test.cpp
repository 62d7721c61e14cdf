// Which files code_check hands to its checkers: paths through the workspace guard, directories
// walked as the search tools walk them (.gitignore, hidden files, symlinks not followed), a
// language by extension or shebang, and the reasons for what is left out.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "server/code/check/code_checker.h"
#include "tests/support/temp_dir.h"

namespace benchtop::code_check {
namespace {

using benchtop::testing::TempDir;
using benchtop::testing::write_file;

class CollectSourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Workspace::open(root_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    workspace_ = std::move(opened).value();
  }

  Result<SourceSet> collect(const std::vector<std::string>& paths) {
    skipped_.clear();
    return collect_sources(*workspace_, paths, skipped_);
  }

  TempDir root_;
  std::shared_ptr<Workspace> workspace_;
  std::vector<Skip> skipped_;
};

TEST_F(CollectSourcesTest, WalksTheProjectByLanguage) {
  write_file(root_ / "a.py", "");
  write_file(root_ / "web/b.mjs", "");
  write_file(root_ / "bin/deploy", "#!/usr/bin/env bash\n");
  write_file(root_ / "bin/tool.pl", "#!/bin/sh\n");  // an extension of its own: not a shell script
  write_file(root_ / "src/c.cpp", "");
  write_file(root_ / "README.md", "");
  write_file(root_ / ".hidden/d.py", "");
  write_file(root_ / "build/e.py", "");
  write_file(root_ / ".gitignore", "build/\n");
  std::filesystem::create_symlink("a.py", root_ / "link.py");
  write_file(root_ / "go.mod", "module m\n");

  auto sources = collect({});
  ASSERT_TRUE(sources.ok()) << sources.error().message;
  EXPECT_EQ(sources->files[Language::kPython], std::vector<std::string>{"a.py"});
  EXPECT_EQ(sources->files[Language::kJavaScript], std::vector<std::string>{"web/b.mjs"});
  EXPECT_EQ(sources->files[Language::kShell], std::vector<std::string>{"bin/deploy"});
  EXPECT_EQ(sources->files[Language::kCpp], std::vector<std::string>{"src/c.cpp"});
  EXPECT_TRUE(sources->has_go_mod);
  EXPECT_FALSE(sources->has_tsconfig);
  EXPECT_TRUE(skipped_.empty());  // README.md and the rest were not asked for by name
}

TEST_F(CollectSourcesTest, DependencyDirectoriesAreWalkedPastUnlessNamed) {
  write_file(root_ / "app.js", "");
  write_file(root_ / "node_modules/left-pad/index.js", "");
  write_file(root_ / "web/node_modules/x/y.js", "");
  write_file(root_ / "venv/lib/z.py", "");
  auto sources = collect({});
  ASSERT_TRUE(sources.ok()) << sources.error().message;
  EXPECT_EQ(sources->files[Language::kJavaScript], std::vector<std::string>{"app.js"});
  EXPECT_TRUE(sources->files[Language::kPython].empty());

  auto named = collect({"node_modules/left-pad"});
  ASSERT_TRUE(named.ok()) << named.error().message;
  EXPECT_EQ(named->files[Language::kJavaScript],
            std::vector<std::string>{"node_modules/left-pad/index.js"});
}

TEST_F(CollectSourcesTest, NamedPathsAreNormalisedAndCheckedOnce) {
  write_file(root_ / "a/x.py", "");
  write_file(root_ / "b/y.sh", "");
  auto sources = collect({"a/../b/y.sh", "b", "./a/x.py", "a"});
  ASSERT_TRUE(sources.ok()) << sources.error().message;
  EXPECT_EQ(sources->files[Language::kShell], std::vector<std::string>{"b/y.sh"});
  EXPECT_EQ(sources->files[Language::kPython], std::vector<std::string>{"a/x.py"});
}

TEST_F(CollectSourcesTest, NamedFilesThatCannotBeCheckedAreSkippedWithTheReason) {
  write_file(root_ / "notes.txt", "");
  write_file(root_ / "script", "#!/bin/sh\n");
  ASSERT_EQ(::mkfifo((root_ / "pipe.py").c_str(), 0644), 0);
  auto sources = collect({"notes.txt", "script", "pipe.py"});
  ASSERT_TRUE(sources.ok()) << sources.error().message;
  EXPECT_EQ(sources->files[Language::kShell], std::vector<std::string>{"script"});
  EXPECT_TRUE(sources->files[Language::kPython].empty());
  ASSERT_EQ(skipped_.size(), 2u);
  EXPECT_EQ(skipped_[0].file, "notes.txt");
  EXPECT_EQ(skipped_[0].reason, "unsupported file type");
  EXPECT_EQ(skipped_[1].file, "pipe.py");
  EXPECT_EQ(skipped_[1].reason, "not a regular file or directory");
}

TEST_F(CollectSourcesTest, RefusesPathsOutsideTheWorkspaceAndMissingOnes) {
  TempDir outside;
  write_file(outside / "secret.py", "");
  std::filesystem::create_symlink(outside.path(), root_ / "out");
  for (const std::string& path : {std::string("../x.py"), std::string("a/../../x.py"),
                                  (outside / "secret.py").string(), std::string("out/secret.py")}) {
    auto sources = collect({path});
    ASSERT_FALSE(sources.ok()) << path;
    EXPECT_EQ(sources.error().code, "outside_workspace") << path << ": " << sources.error().message;
  }
  auto missing = collect({"nope.py"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "not_found");
  // A symlinked directory inside is walked without following the link.
  auto walked = collect({""});
  ASSERT_TRUE(walked.ok());
  EXPECT_TRUE(walked->files[Language::kPython].empty());
}

}  // namespace
}  // namespace benchtop::code_check
