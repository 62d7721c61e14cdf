// The git_* tools on real repositories in temporary directories: each tool's happy path and its
// refusals (option smuggling, symlinked repository outside, hard reset without confirmation,
// checkout over dirty changes), and push/pull against a local bare repository.
#include "tools/git/git_tools.h"

#include <git2.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "server/git/git_handles.h"
#include "tests/support/git_tools_fixture.h"
#include "tests/support/special_file_support.h"

namespace benchtop::testing {
namespace {

using nlohmann::json;

TEST_F(GitToolsTest, StatusBeforeInitSaysToInit) {
  EXPECT_NE(refused("git_status", json::object()).find("git_init"), std::string::npos);
}

TEST_F(GitToolsTest, InitAddCommitLogShow) {
  EXPECT_EQ(ok("git_init")["branch"], "main");
  write("a.txt", "one\n");
  json status = ok("git_status");
  EXPECT_TRUE(status["unborn"].get<bool>());
  EXPECT_EQ(status["untracked"], json::array({"a.txt"}));
  EXPECT_EQ(ok("git_add", {{"all", true}})["staged"], json::array({"a.txt"}));
  json commit = ok("git_commit", {{"message", "first\n\nbody"}});
  EXPECT_EQ(commit["branch"], "main");
  EXPECT_TRUE(ok("git_status")["clean"].get<bool>());

  json log = ok("git_log");
  ASSERT_EQ(log["commits"].size(), 1u);
  EXPECT_EQ(log["commits"][0]["summary"], "first");
  EXPECT_EQ(log["commits"][0]["author"], git::kDefaultAuthorName);

  json show = ok("git_show", {{"rev", "HEAD"}});
  EXPECT_EQ(show["commit"]["id"], commit["id"]);
  EXPECT_NE(show["patch"].get<std::string>().find("+one"), std::string::npos);
}

TEST_F(GitToolsTest, AuthorFromSettingsThenArgument) {
  settings_.value.author_name = "Ada";
  settings_.value.author_email = "ada@example.com";
  init_with_commit();
  EXPECT_EQ(ok("git_log")["commits"][0]["email"], "ada@example.com");
  write("a.txt", "two\n");
  ok("git_add", {{"all", true}});
  ok("git_commit", {{"message", "second"}, {"author", "Grace <grace@example.com>"}});
  EXPECT_EQ(ok("git_log")["commits"][0]["author"], "Grace");
  refused("git_commit", {{"message", "x"}, {"allow_empty", true}, {"author", "no email"}});
}

TEST_F(GitToolsTest, CommitWithNothingStagedIsRefused) {
  init_with_commit();
  EXPECT_NE(refused("git_commit", {{"message", "empty"}}).find("git_add"), std::string::npos);
}

TEST_F(GitToolsTest, DiffShowsUnstagedStagedAndNewFiles) {
  init_with_commit();
  write("a.txt", "one\nchanged\n");
  write("new.txt", "brand new\n");
  json diff = ok("git_diff", {{"untracked_content", true}});
  const std::string patch = diff["patch"];
  EXPECT_NE(patch.find("+changed"), std::string::npos);
  EXPECT_NE(patch.find("+brand new"), std::string::npos);
  EXPECT_EQ(diff["files"].size(), 2u);
  // By default a new file is listed, its content not shown.
  ToolResult listed = call("git_diff", json::object());
  EXPECT_EQ((*listed.structured)["patch"].get<std::string>().find("+brand new"), std::string::npos);
  EXPECT_EQ((*listed.structured)["files"].size(), 2u);
  EXPECT_NE(text_of(listed).find("Untracked files (content not shown"), std::string::npos)
      << text_of(listed);
  EXPECT_NE(text_of(listed).find("  new.txt\n"), std::string::npos) << text_of(listed);

  ok("git_add", {{"paths", {"a.txt"}}});
  json staged = ok("git_diff", {{"staged", true}});
  ASSERT_EQ(staged["files"].size(), 1u);
  EXPECT_EQ(staged["files"][0]["path"], "a.txt");

  json stat = ok("git_diff", {{"stat", true}, {"paths", {"new.txt"}}});
  EXPECT_FALSE(stat.contains("patch"));
  ASSERT_EQ(stat["files"].size(), 1u);
  EXPECT_EQ(stat["files"][0]["additions"], 1);

  ok("git_commit", {{"message", "second"}});
  json range = ok("git_diff", {{"from", "HEAD~1"}, {"to", "HEAD"}});
  EXPECT_NE(range["patch"].get<std::string>().find("+changed"), std::string::npos);
}

TEST_F(GitToolsTest, DiffIsCappedWithANote) {
  init_with_commit();
  std::string big;
  for (int i = 0; i < 5000; ++i) big += "line " + std::to_string(i) + "\n";
  write("big.txt", big);
  // A 5,000-line untracked file: listed, and the whole result small.
  ToolResult listed = call("git_diff", json::object());
  ASSERT_FALSE(listed.is_error);
  EXPECT_LE(listed.to_json().dump().size(), 40000u);
  EXPECT_NE(text_of(listed).find("big.txt"), std::string::npos);
  EXPECT_NE(text_of(listed).find("untracked_content: true shows it"), std::string::npos)
      << text_of(listed);
  // Its content on request: within the budget, with the way to the rest.
  ToolResult shown = call("git_diff", {{"untracked_content", true}});
  ASSERT_FALSE(shown.is_error);
  EXPECT_LE(shown.to_json().dump().size(), 40000u);
  EXPECT_TRUE((*shown.structured)["truncated"].get<bool>());
  EXPECT_NE(text_of(shown).find("Narrow it with `paths`"), std::string::npos);
  ToolResult small = call("git_diff", {{"untracked_content", true}, {"max_output_bytes", 2048}});
  ASSERT_FALSE(small.is_error);
  EXPECT_LE(text_of(small).size(), 2048u + 200u);
  EXPECT_LE((*small.structured)["patch"].get<std::string>().size(), 600u);
}

TEST_F(GitToolsTest, LogFiltersByPathAndCount) {
  init_with_commit();
  write("b.txt", "b\n");
  ok("git_add", {{"paths", {"b.txt"}}});
  ok("git_commit", {{"message", "add b"}});
  write("a.txt", "one\ntwo\n");
  ok("git_add", {{"paths", {"a.txt"}}});
  ok("git_commit", {{"message", "change a"}});
  json by_path = ok("git_log", {{"path", "b.txt"}});
  ASSERT_EQ(by_path["commits"].size(), 1u);
  EXPECT_EQ(by_path["commits"][0]["summary"], "add b");
  json limited = ok("git_log", {{"max_count", 2}});
  EXPECT_EQ(limited["commits"].size(), 2u);
  EXPECT_TRUE(limited["more"].get<bool>());
}

TEST_F(GitToolsTest, OptionSmugglingIsRefused) {
  init_with_commit();
  EXPECT_NE(refused("git_show", {{"rev", "--output=/tmp/x"}}).find("'-'"), std::string::npos);
  refused("git_log", {{"from", "-n1"}});
  refused("git_diff", {{"from", "--no-index"}});
  refused("git_add", {{"paths", {"--all"}}});
  refused("git_branch", {{"action", "create"}, {"name", "-D"}});
  refused("git_checkout", {{"branch", "--orphan"}});
  refused("git_reset", {{"mode", "soft"}, {"rev", "--hard"}});
  refused("git_remote", {{"action", "add"}, {"name", "x"}, {"url", "--upload-pack=touch /tmp/p"}});
  refused("git_push", {{"remote", "--receive-pack=evil"}});
}

TEST_F(GitToolsTest, UnknownRevisionIsNamed) {
  init_with_commit();
  EXPECT_NE(refused("git_show", {{"rev", "nope"}}).find("Unknown revision 'nope'"),
            std::string::npos);
}

TEST_F(GitToolsTest, PathsOutsideTheWorkspaceAreRefused) {
  init_with_commit();
  refused("git_add", {{"paths", {"../outside/x"}}});
  refused("git_add", {{"paths", {"/etc/passwd"}}});
  std::filesystem::create_directory_symlink(dirs_.outside(), root() / "link");
  write_file(dirs_.outside() / "secret.txt", "TOP-SECRET\n");
  refused("git_add", {{"paths", {"link/secret.txt"}}});
  refused("git_diff", {{"paths", {"link/secret.txt"}}});
  // Whole-tree operations see the symlink itself, never what it points at.
  EXPECT_EQ(ok("git_status")["untracked"], json::array({"link"}));
  EXPECT_EQ(ok("git_diff")["patch"].get<std::string>().find("TOP-SECRET"), std::string::npos);
  EXPECT_EQ(ok("git_add", {{"all", true}})["staged"], json::array({"link"}));
}

TEST_F(GitToolsTest, RepositoryThroughSymlinkOutsideIsRefused) {
  // A .git symlink to a repository outside the workspace.
  git_repository* raw = nullptr;
  ASSERT_EQ(git_repository_init(&raw, (dirs_.outside() / "repo").c_str(), 0), 0);
  git::RepositoryPtr outside(raw);
  std::filesystem::create_directory_symlink(dirs_.outside() / "repo" / ".git", root() / ".git");
  EXPECT_NE(refused("git_status", json::object()).find("symlink"), std::string::npos);
  refused("git_log", json::object());
}

// A .git file naming a real repository outside the workspace (what `git worktree add` and
// submodules write): refused for what it is, not because the target is missing.
TEST_F(GitToolsTest, GitdirFileIsRefused) {
  git_repository* raw = nullptr;
  ASSERT_EQ(git_repository_init(&raw, (dirs_.outside() / "repo").c_str(), 0), 0);
  git::RepositoryPtr outside(raw);
  write(".git", "gitdir: " + (dirs_.outside() / "repo" / ".git").string() + "\n");
  for (const char* tool : {"git_status", "git_log"}) {
    EXPECT_NE(refused(tool, json::object()).find(".git is a file pointing at a repository"),
              std::string::npos)
        << tool;
  }
  EXPECT_FALSE(std::filesystem::exists(dirs_.outside() / "repo" / ".git" / "index"))
      << "nothing was written into the outside repository";
}

TEST_F(GitToolsTest, WorkTreeWritesDoNotFollowADirectorySwappedForASymlink) {
  ok("git_init");
  write("sub/a.txt", "tracked\n");
  ok("git_add", {{"all", true}});
  ok("git_commit", {{"message", "sub"}});
  ok("git_branch", {{"action", "create"}, {"name", "other"}});
  // libgit2 would write sub/a.txt (or delete it) through the symlink, i.e. outside.
  std::filesystem::remove_all(root() / "sub");
  std::filesystem::create_directory_symlink(dirs_.outside(), root() / "sub");
  EXPECT_NE(
      refused("git_reset", {{"mode", "hard"}, {"rev", "HEAD"}, {"confirm", true}}).find("symlink"),
      std::string::npos);
  refused("git_checkout", {{"branch", "other"}, {"force", true}});
  refused("git_stash", {{"action", "push"}});
  EXPECT_TRUE(std::filesystem::is_empty(dirs_.outside()));
  // A symlink that stays inside is refused too: git would write into the wrong directory.
  std::filesystem::remove(root() / "sub");
  std::filesystem::create_directory(root() / "elsewhere");
  std::filesystem::create_directory_symlink("elsewhere", root() / "sub");
  refused("git_reset", {{"mode", "hard"}, {"rev", "HEAD"}, {"confirm", true}});
  // Once the symlink is gone the reset restores the directory.
  std::filesystem::remove(root() / "sub");
  ok("git_reset", {{"mode", "hard"}, {"rev", "HEAD"}, {"confirm", true}});
  EXPECT_EQ(read_file(root() / "sub" / "a.txt"), "tracked\n");
}

TEST_F(GitToolsTest, BranchCreateListDelete) {
  init_with_commit();
  ok("git_branch", {{"action", "create"}, {"name", "ticket/42"}});
  json listed = ok("git_branch", {{"action", "list"}});
  EXPECT_EQ(listed["current"], "main");
  EXPECT_EQ(listed["branches"].size(), 2u);
  refused("git_branch", {{"action", "create"}, {"name", "ticket/42"}});
  refused("git_branch", {{"action", "create"}, {"name", "bad..name"}});
  refused("git_branch", {{"action", "delete"}, {"name", "main"}});
  json deleted = ok("git_branch", {{"action", "delete"}, {"name", "ticket/42"}});
  EXPECT_EQ(deleted["branches"].size(), 1u);
}

TEST_F(GitToolsTest, CheckoutRefusesToClobberDirtyChanges) {
  init_with_commit();
  ok("git_checkout", {{"branch", "feature"}, {"create", true}});
  write("a.txt", "feature\n");
  ok("git_add", {{"all", true}});
  ok("git_commit", {{"message", "feature change"}});
  write("a.txt", "uncommitted\n");
  EXPECT_NE(refused("git_checkout", {{"branch", "main"}}).find("uncommitted"), std::string::npos);
  EXPECT_EQ(read_file(root() / "a.txt"), "uncommitted\n");
  json forced = ok("git_checkout", {{"branch", "main"}, {"force", true}});
  EXPECT_EQ(forced["branch"], "main");
  EXPECT_EQ(read_file(root() / "a.txt"), "one\n");
  json detached = ok("git_checkout", {{"rev", "feature"}});
  EXPECT_EQ(detached["branch"], "");
}

TEST_F(GitToolsTest, HardResetNeedsConfirmation) {
  init_with_commit();
  write("a.txt", "dirty\n");
  EXPECT_NE(refused("git_reset", {{"mode", "hard"}, {"rev", "HEAD"}}).find("confirm"),
            std::string::npos);
  EXPECT_EQ(read_file(root() / "a.txt"), "dirty\n");
  ok("git_reset", {{"mode", "hard"}, {"rev", "HEAD"}, {"confirm", true}});
  EXPECT_EQ(read_file(root() / "a.txt"), "one\n");
}

TEST_F(GitToolsTest, SoftAndMixedReset) {
  init_with_commit();
  write("a.txt", "two\n");
  ok("git_add", {{"all", true}});
  ok("git_commit", {{"message", "second"}});
  ok("git_reset", {{"mode", "soft"}, {"rev", "HEAD~1"}});
  EXPECT_EQ(ok("git_status")["staged"].size(), 1u);
  ok("git_reset", {{"mode", "mixed"}, {"rev", "HEAD"}});
  json status = ok("git_status");
  EXPECT_EQ(status["staged"].size(), 0u);
  EXPECT_EQ(status["unstaged"].size(), 1u);
}

TEST_F(GitToolsTest, StashPushListPop) {
  init_with_commit();
  refused("git_stash", {{"action", "push"}});
  write("a.txt", "work in progress\n");
  json pushed = ok("git_stash", {{"action", "push"}, {"message", "wip"}});
  EXPECT_EQ(pushed["stashes"].size(), 1u);
  EXPECT_EQ(read_file(root() / "a.txt"), "one\n");
  EXPECT_EQ(ok("git_stash", {{"action", "list"}})["stashes"].size(), 1u);
  ok("git_stash", {{"action", "pop"}});
  EXPECT_EQ(read_file(root() / "a.txt"), "work in progress\n");
}

TEST_F(GitToolsTest, SettingsHideTheToken) {
  ToolResult result =
      call("git_settings", {{"https_token", "s3cr3t-token"}, {"https_host", "github.com"}});
  ASSERT_FALSE(result.is_error);
  EXPECT_EQ(result.to_json().dump().find("s3cr3t-token"), std::string::npos);
  EXPECT_TRUE((*result.structured)["https_token_set"].get<bool>());
}

// A bare repository beside the workspace, as the remote.
// The operator allowed file:// here, so that a local bare repository can stand in for a server.
class GitRemoteTest : public GitToolsTest {
 protected:
  GitRemoteTest() : GitToolsTest(local_remotes()), bare_(make_bare_repository(dirs_.base())) {}
  std::string url() const { return "file://" + bare_.string(); }

  // Another clone of the remote commits `content` to `file` on main and pushes it.
  void push_from_other_clone(const std::string& file, const std::string& content) {
    TempDir other;
    git_repository* raw = nullptr;
    git_clone_options options = GIT_CLONE_OPTIONS_INIT;
    ASSERT_EQ(git_clone(&raw, url().c_str(), (other.path() / "c").c_str(), &options), 0);
    git::RepositoryPtr clone(raw);
    SingleWorkspaceProvider other_provider(other.path() / "c");
    MemoryGitSettings other_settings;
    ToolRegistry other_registry;
    register_git_tools(other_registry, other_provider, other_settings, local_remotes());
    write_file(other.path() / "c" / file, content);
    ToolContext context;
    // An empty remote leaves the clone on libgit2's default branch name; work on main.
    if (git_repository_head_unborn(clone.get()) == 1) {
      ASSERT_FALSE(
          other_registry.call("git_checkout", {{"branch", "main"}, {"create", true}}, context)
              ->is_error);
    }
    ASSERT_FALSE(other_registry.call("git_add", {{"all", true}}, context)->is_error);
    ASSERT_FALSE(
        other_registry.call("git_commit", {{"message", "remote work"}}, context)->is_error);
    auto push = other_registry.call("git_push", json::object(), context);
    ASSERT_FALSE(push->is_error) << text_of(*push);
  }
  std::filesystem::path bare_;
};

TEST_F(GitRemoteTest, PushFetchAndFastForwardPull) {
  init_with_commit();
  ok("git_remote", {{"action", "add"}, {"name", "origin"}, {"url", url()}});
  EXPECT_EQ(ok("git_remote", {{"action", "list"}})["remotes"][0]["name"], "origin");
  json pushed = ok("git_push", {{"set_upstream", true}});
  EXPECT_EQ(pushed["branch"], "main");
  EXPECT_EQ(ok("git_status")["ahead"], 0);

  // A second clone pushes a commit; the first pulls it.
  push_from_other_clone("a.txt", "from the other clone\n");

  json fetched = ok("git_fetch");
  EXPECT_GT(fetched["received_objects"].get<int>(), 0);
  EXPECT_EQ(ok("git_status")["behind"], 1);
  json pulled = ok("git_pull");
  EXPECT_EQ(pulled["result"], "fast_forward");
  EXPECT_EQ(read_file(root() / "a.txt"), "from the other clone\n");
  EXPECT_EQ(ok("git_pull")["result"], "up_to_date");

  // Diverged: a local commit plus another remote commit → refusal, nothing changed.
  write("a.txt", "local\n");
  ok("git_add", {{"all", true}});
  ok("git_commit", {{"message", "local"}});
  push_from_other_clone("b.txt", "b\n");
  EXPECT_NE(refused("git_pull", json::object()).find("diverged"), std::string::npos);
  EXPECT_EQ(read_file(root() / "a.txt"), "local\n");
  EXPECT_NE(refused("git_push", json::object()).find("git_pull"), std::string::npos);
}

TEST_F(GitRemoteTest, FetchReportsProgress) {
  init_with_commit();
  ok("git_remote", {{"action", "add"}, {"name", "mirror"}, {"url", url()}});
  push_from_other_clone("c.txt", "c\n");
  int reports = 0;
  ToolContext context(
      CancellationToken(),
      [&reports](double, std::optional<double>, const std::string&) { ++reports; }, json::object(),
      "2025-06-18");
  auto result = registry_.call("git_fetch", {{"remote", "mirror"}}, context);
  ASSERT_FALSE(result->is_error) << text_of(*result);
  EXPECT_GT(reports, 0);
}

TEST_F(GitRemoteTest, CheckoutOfARemoteOnlyBranchTracksIt) {
  init_with_commit();
  ok("git_remote", {{"action", "add"}, {"name", "origin"}, {"url", url()}});
  ok("git_push");
  ok("git_checkout", {{"branch", "feature"}, {"create", true}});
  write("f.txt", "feature\n");
  ok("git_add", {{"all", true}});
  ok("git_commit", {{"message", "feature"}});
  ok("git_push", {{"set_upstream", true}});
  ok("git_checkout", {{"branch", "main"}});
  ok("git_branch", {{"action", "delete"}, {"name", "feature"}, {"force", true}});
  json switched = ok("git_checkout", {{"branch", "feature"}});
  EXPECT_EQ(switched["branch"], "feature");
  EXPECT_EQ(read_file(root() / "f.txt"), "feature\n");
  EXPECT_EQ(ok("git_status")["upstream"], "origin/feature");
}

TEST_F(GitRemoteTest, TokenNeverAppearsInFailures) {
  init_with_commit();
  settings_.value.https_token = "s3cr3t-token";
  ok("git_remote", {{"action", "add"}, {"name", "origin"}, {"url", "https://127.0.0.1:1/r.git"}});
  ToolResult fetched = call("git_fetch", json::object());
  ASSERT_TRUE(fetched.is_error);
  EXPECT_EQ(fetched.to_json().dump().find("s3cr3t-token"), std::string::npos);
  ToolResult pushed = call("git_push", json::object());
  ASSERT_TRUE(pushed.is_error);
  EXPECT_EQ(pushed.to_json().dump().find("s3cr3t-token"), std::string::npos);
}

// libgit2 opens .gitignore, .gitattributes and the files in .git itself, with blocking I/O. A FIFO
// planted under any of those names must not hold the call: it is interrupted when its budget is
// spent or when it is cancelled, and answers with what to look for.
class GitSpecialFilesTest : public GitToolsTest {
 protected:
  GitSpecialFilesTest() {
    GitCallBudgets budgets;
    budgets.local = std::chrono::seconds(1);
    register_git_tools(short_budget_, provider_, settings_, git::TransportPolicy::defaults(),
                       budgets);
  }

  // A repository with a commit, a modified file and a new one in sub/, then a FIFO at `relative`.
  void repository_with_fifo(const std::string& relative) {
    init_with_commit();
    write("a.txt", "two\n");
    write("sub/b.txt", "new\n");
    fifo_ = root() / relative;
    std::filesystem::create_directories(fifo_.parent_path());
    std::filesystem::remove(fifo_);
    ASSERT_TRUE(make_special(fifo_, SpecialKind::kFifo));
  }

  ToolResult call_with(const ToolRegistry& registry, const std::string& tool, const json& arguments,
                       ToolContext& context) {
    auto result = registry.call(tool, arguments, context);
    return result ? *result : ToolResult::error("no such tool");
  }

  ToolRegistry short_budget_;
  std::filesystem::path fifo_;
};

TEST_F(GitSpecialFilesTest, AFifoNamedLikeAFileGitReadsEndsEveryCall) {
  const std::vector<std::string> places = {".gitignore", "sub/.gitignore", ".gitattributes",
                                           ".git/info/exclude"};
  const std::vector<std::pair<std::string, json>> calls = {
      {"git_status", json::object()},
      {"git_diff", json::object()},
      {"git_add", {{"paths", {"."}}}},
      {"git_add", {{"paths", {"sub/b.txt"}}}},
  };
  for (const auto& place : places) {
    for (const auto& [tool, arguments] : calls) {
      SCOPED_TRACE(tool + " " + arguments.dump() + " with a FIFO at " + place);
      std::filesystem::remove_all(root() / ".git");
      std::filesystem::remove(root() / ".gitignore");
      std::filesystem::remove(root() / ".gitattributes");
      std::filesystem::remove_all(root() / "sub");
      repository_with_fifo(place);
      ToolResult result;
      EXPECT_TRUE(returns_within(std::chrono::seconds(10),
                                 [&] {
                                   ToolContext context;
                                   result = call_with(short_budget_, tool, arguments, context);
                                 },
                                 {fifo_}));
      if (result.is_error) {
        EXPECT_NE(text_of(result).find("FIFO"), std::string::npos) << text_of(result);
      }
    }
  }
}

TEST_F(GitSpecialFilesTest, ACancelledCallBlockedOnAFifoReturnsPromptly) {
  repository_with_fifo(".gitignore");
  CancellationSource source;
  std::atomic<pid_t> worker{0};
  std::thread canceller([&] {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < give_up) {
      if (const pid_t id = worker.load()) {
        std::ifstream in("/proc/self/task/" + std::to_string(id) + "/syscall");
        long number = -1;
        if (in >> number && number == SYS_openat) break;  // blocked opening the FIFO
      }
      std::this_thread::yield();
    }
    source.cancel();
  });
  ToolResult result;
  // The default budget is minutes: only the cancellation can end this call in time.
  EXPECT_TRUE(returns_within(std::chrono::seconds(5),
                             [&] {
                               worker = static_cast<pid_t>(::syscall(SYS_gettid));
                               ToolContext context(source.token(), nullptr, json::object(),
                                                   "2025-11-25");
                               result = call_with(registry_, "git_status", json::object(), context);
                             },
                             {fifo_}));
  canceller.join();
  EXPECT_TRUE(result.is_error);
  EXPECT_NE(text_of(result).find("cancelled"), std::string::npos) << text_of(result);
}

}  // namespace
}  // namespace benchtop::testing
