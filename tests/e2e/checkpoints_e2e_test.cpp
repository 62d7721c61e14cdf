// Checkpoints through the real binary over stdio: an edit, a write, a delete and a command that
// deletes a whole directory, each put back byte for byte, with the project's git history and the
// files no call changed left as they were.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <string>

#include "e2e/stdio_client.h"

namespace benchtop::e2e {
namespace {

using benchtop::testing::permission_bits;
using benchtop::testing::read_file;
using benchtop::testing::write_file;
using nlohmann::json;
namespace fs = std::filesystem;

class CheckpointsE2e : public ::testing::Test {
 protected:
  CheckpointsE2e() : client_(json::object(), {"--root", project_.path().string()}) {}

  json call(const std::string& tool, json arguments) {
    json response = client_.call(++id_, tool, std::move(arguments));
    return response.value("result", json::object());
  }
  json ok(const std::string& tool, json arguments) {
    json result = call(tool, std::move(arguments));
    EXPECT_TRUE(result.contains("content") && !result.value("isError", false))
        << tool << ": " << result;
    return result;
  }
  int64_t latest() {
    json listed = ok("checkpoint_list", {{"limit", 1}});
    const json& checkpoints = listed["structuredContent"]["checkpoints"];
    return checkpoints.empty() ? 0 : checkpoints[0]["id"].get<int64_t>();
  }
  void restore_latest() { ok("checkpoint_restore", {{"checkpoint", latest()}}); }
  fs::path root() const { return project_.path(); }

  TempDir project_;
  StdioClient client_;
  int id_ = 0;
};

const std::string kModule = "def f():\r\n\treturn 1  # caf\u00e9\r\n";
const std::string kData("\x00\xff\xfe binary\n", 11);

TEST_F(CheckpointsE2e, EditWriteDeleteAndRmRfAreEachRestoredByteForByte) {
  write_file(root() / "src/module.py", kModule);
  write_file(root() / "src/run.sh", "#!/bin/sh\necho run\n");
  write_file(root() / "src/data.bin", kData);
  ::chmod((root() / "src/run.sh").c_str(), 0755);
  fs::create_symlink("module.py", root() / "src/alias.py");
  ok("git_init", json::object());
  ok("git_add", {{"paths", {"."}}});
  ok("git_commit", {{"message", "start"}, {"author", "Dev <dev@example.com>"}});
  const std::string head = read_file(root() / ".git/HEAD");
  const std::string commit = read_file(root() / ".git/refs/heads/main").empty()
                                 ? read_file(root() / ".git/refs/heads/master")
                                 : read_file(root() / ".git/refs/heads/main");

  ok("fs_edit", {{"path", "src/module.py"},
                 {"edits", {{{"old_text", "return 1"}, {"new_text", "return 2"}}}}});
  restore_latest();
  EXPECT_EQ(read_file(root() / "src/module.py"), kModule);

  ok("fs_write", {{"path", "src/run.sh"}, {"content", "overwritten"}});
  restore_latest();
  EXPECT_EQ(read_file(root() / "src/run.sh"), "#!/bin/sh\necho run\n");

  ok("fs_delete", {{"path", "src/module.py"}});
  restore_latest();
  EXPECT_EQ(read_file(root() / "src/module.py"), kModule);

  json removed = ok("shell_exec", {{"command", "rm -rf src && echo gone"}});
  ASSERT_FALSE(fs::exists(root() / "src")) << removed;
  json listed = ok("checkpoint_list", {{"limit", 1}});
  const json& newest = listed["structuredContent"]["checkpoints"][0];
  EXPECT_EQ(newest["tool"], "shell_exec");
  EXPECT_NE(newest["summary"].get<std::string>().find("rm -rf src"), std::string::npos);
  EXPECT_EQ(newest["changes"].size(), 5u) << newest;  // src/ and its four entries
  restore_latest();
  EXPECT_EQ(read_file(root() / "src/module.py"), kModule);
  EXPECT_EQ(read_file(root() / "src/run.sh"), "#!/bin/sh\necho run\n");
  EXPECT_EQ(permission_bits(root() / "src/run.sh"), 0755u);
  EXPECT_EQ(read_file(root() / "src/data.bin"), kData);
  EXPECT_EQ(fs::read_symlink(root() / "src/alias.py"), "module.py");

  // The restored tree is the committed one; git's own files were never part of a checkpoint.
  json status = ok("git_status", json::object());
  EXPECT_EQ(status["structuredContent"]["clean"], true) << status;
  EXPECT_EQ(read_file(root() / ".git/HEAD"), head);
  const std::string commit_now = read_file(root() / ".git/refs/heads/main").empty()
                                     ? read_file(root() / ".git/refs/heads/master")
                                     : read_file(root() / ".git/refs/heads/main");
  EXPECT_EQ(commit_now, commit);
  json everything = ok("checkpoint_list", {{"limit", 100}});
  for (const auto& checkpoint : everything["structuredContent"]["checkpoints"]) {
    for (const auto& change : checkpoint["changes"]) {
      EXPECT_NE(change["path"].get<std::string>().rfind(".git", 0), 0u) << checkpoint;
    }
  }
  // Nothing of the checkpoints is kept in the workspace.
  for (const auto& entry : fs::directory_iterator(root())) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "src" || name == ".git") << name;
  }
}

TEST_F(CheckpointsE2e, RefusalsChangeNothing) {
  write_file(root() / "a.txt", "a");
  ok("fs_write", {{"path", "a.txt"}, {"content", "b"}});
  json unknown = call("checkpoint_restore", {{"checkpoint", 424242}});
  EXPECT_TRUE(unknown.value("isError", false)) << unknown;
  json outside = call("checkpoint_restore", {{"checkpoint", latest()}, {"paths", {"/etc"}}});
  EXPECT_TRUE(outside.value("isError", false)) << outside;
  json wrong_type = call("checkpoint_restore", {{"checkpoint", "latest"}});
  EXPECT_TRUE(wrong_type.value("isError", false)) << wrong_type;
  EXPECT_EQ(read_file(root() / "a.txt"), "b");
}

}  // namespace
}  // namespace benchtop::e2e
