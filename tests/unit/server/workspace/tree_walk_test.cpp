#include "server/workspace/search/tree_walk.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/search_test_support.h"

namespace benchtop {
namespace {

std::vector<std::string> walk_paths(const Workspace& workspace, std::string_view start,
                                    const WalkOptions& options = {}) {
  std::vector<std::string> seen;
  auto walked = walk_tree(workspace, start, options, [&](const WalkEntry& entry) {
    seen.emplace_back(entry.path);
    return WalkAction::kContinue;
  });
  EXPECT_TRUE(walked.ok());
  return seen;
}

TEST(TreeWalk, VisitsSortedAndSkipsHiddenAndGit) {
  testing::TempTree tree;
  tree.write("b.txt", "");
  tree.write("a/z.txt", "");
  tree.write("a/y.txt", "");
  tree.write(".hidden/x", "");
  tree.write(".env", "");
  tree.write(".git/HEAD", "");
  auto workspace = Workspace::open(tree.root());
  ASSERT_TRUE(workspace.ok());
  EXPECT_EQ(walk_paths(**workspace, ""),
            (std::vector<std::string>{"a", "a/y.txt", "a/z.txt", "b.txt"}));
  WalkOptions hidden;
  hidden.include_hidden = true;
  EXPECT_EQ(walk_paths(**workspace, "", hidden),
            (std::vector<std::string>{".env", ".hidden", ".hidden/x", "a", "a/y.txt", "a/z.txt",
                                      "b.txt"}));
}

TEST(TreeWalk, ReportsSymlinksWithoutFollowingThem) {
  testing::TempTree outside;
  outside.write("secret/passwords.txt", "hunter2");
  testing::TempTree tree;
  tree.write("real/file.txt", "");
  tree.symlink(outside.root() / "secret", "escape");
  tree.symlink("real", "inner_link");
  auto workspace = Workspace::open(tree.root());
  ASSERT_TRUE(workspace.ok());

  std::vector<std::pair<std::string, EntryType>> seen;
  ASSERT_TRUE(walk_tree(**workspace, "", {}, [&](const WalkEntry& entry) {
                seen.emplace_back(entry.path, entry.type);
                return WalkAction::kContinue;
              }).ok());
  const std::vector<std::pair<std::string, EntryType>> expected = {
      {"escape", EntryType::kSymlink},
      {"inner_link", EntryType::kSymlink},
      {"real", EntryType::kDirectory},
      {"real/file.txt", EntryType::kFile}};
  EXPECT_EQ(seen, expected);
}

TEST(TreeWalk, SkipChildrenPrunesAndStopEnds) {
  testing::TempTree tree;
  tree.write("keep/a", "");
  tree.write("prune/b", "");
  tree.write("zzz", "");
  auto workspace = Workspace::open(tree.root());
  ASSERT_TRUE(workspace.ok());
  std::vector<std::string> seen;
  ASSERT_TRUE(walk_tree(**workspace, "", {}, [&](const WalkEntry& entry) {
                seen.emplace_back(entry.path);
                return entry.path == "prune" ? WalkAction::kSkipChildren : WalkAction::kContinue;
              }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"keep", "keep/a", "prune", "zzz"}));

  seen.clear();
  auto stopped = walk_tree(**workspace, "", {}, [&](const WalkEntry& entry) {
    seen.emplace_back(entry.path);
    return entry.path == "keep/a" ? WalkAction::kStop : WalkAction::kContinue;
  });
  ASSERT_TRUE(stopped.ok());
  EXPECT_TRUE(stopped->stopped);
  EXPECT_EQ(seen, (std::vector<std::string>{"keep", "keep/a"}));
}

TEST(TreeWalk, StartMustBeADirectoryInsideTheWorkspace) {
  testing::TempTree outside;
  testing::TempTree tree;
  tree.write("file.txt", "");
  tree.symlink(outside.root(), "out");
  auto workspace = Workspace::open(tree.root());
  ASSERT_TRUE(workspace.ok());
  auto visit = [](const WalkEntry&) { return WalkAction::kContinue; };
  auto file = walk_tree(**workspace, "file.txt", {}, visit);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code, "not_directory");
  auto escape = walk_tree(**workspace, "out", {}, visit);
  ASSERT_FALSE(escape.ok());
  EXPECT_EQ(escape.error().code, "outside_workspace");
  auto dotdot = walk_tree(**workspace, "..", {}, visit);
  ASSERT_FALSE(dotdot.ok());
}

TEST(TreeWalk, CancelledTokenStopsTheWalk) {
  testing::TempTree tree;
  tree.write("a/b", "");
  auto workspace = Workspace::open(tree.root());
  ASSERT_TRUE(workspace.ok());
  CancellationSource source;
  source.cancel();
  WalkOptions options;
  options.cancellation = source.token();
  size_t visited = 0;
  auto walked = walk_tree(**workspace, "", options, [&](const WalkEntry&) {
    ++visited;
    return WalkAction::kContinue;
  });
  ASSERT_TRUE(walked.ok());
  EXPECT_TRUE(walked->stopped);
  EXPECT_EQ(visited, 0u);
}

}  // namespace
}  // namespace benchtop
