// The real binary run as root with --workspace-disk-mb: a project's commands cannot write past
// its cap, devcontainer_status says the disk is enforced, and deleting the project removes its
// image. Without root or loop devices the server reports the disk as not limited, and so do these
// tests' expectations.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "e2e/stdio_client.h"

namespace benchtop::e2e {
namespace {

using nlohmann::json;

bool images_possible() {
  return ::geteuid() == 0 && ::access("/dev/loop-control", R_OK | W_OK) == 0;
}

TEST(WorkspaceDiskE2e, CommandsStopAtTheCapAndStatusSaysSo) {
  if (!images_possible()) GTEST_SKIP() << "needs root and loop devices";
  StdioClient client(json::object(), {"--workspace-disk-mb", "32"});
  json created = client.call("create", "project_create", {{"name", "capped"}});
  ASSERT_TRUE(created.contains("result") && !created["result"].value("isError", false)) << created;

  json flood = client.call(
      "flood", "shell_exec",
      {{"project", "capped"}, {"command", "dd if=/dev/zero of=flood bs=1M count=100 conv=fsync"}});
  ASSERT_TRUE(flood.contains("result")) << flood;
  EXPECT_NE(flood["result"]["structuredContent"].value("exit_code", 0), 0) << flood;
  EXPECT_NE(flood.dump().find("No space left on device"), std::string::npos) << flood;

  json status = client.call("status", "devcontainer_status", {{"project", "capped"}});
  const json& container = status["result"]["structuredContent"];
  ASSERT_TRUE(container.contains("enforced")) << status;
  EXPECT_NE(std::find(container["enforced"].begin(), container["enforced"].end(), "disk"),
            container["enforced"].end())
      << status;
  EXPECT_GT(container["limits"].value("disk_bytes", 0), 16 * 1024 * 1024) << status;
  EXPECT_GT(container["usage"].value("disk_bytes", 0), 16 * 1024 * 1024) << status;

  const std::filesystem::path disks = client.data_dir() / "disks";
  ASSERT_FALSE(std::filesystem::is_empty(disks));
  json deleted =
      client.call("delete", "project_delete", {{"project", "capped"}, {"confirm", "capped"}});
  EXPECT_FALSE(deleted["result"].value("isError", false)) << deleted;
  EXPECT_TRUE(std::filesystem::is_empty(disks)) << "the image went with the project";
}

TEST(WorkspaceDiskE2e, WithoutACapTheStatusSaysTheDiskIsNotLimited) {
  StdioClient client(json::object(), {"--workspace-disk-mb", "0"});
  ASSERT_FALSE(client.call("create", "project_create", {{"name", "free"}})["result"].value(
      "isError", false));
  json status = client.call("status", "devcontainer_status", {{"project", "free"}});
  const json& container = status["result"]["structuredContent"];
  EXPECT_EQ(std::find(container["enforced"].begin(), container["enforced"].end(), "disk"),
            container["enforced"].end())
      << status;
  EXPECT_EQ(container["limits"].value("disk_bytes", -1), 0) << status;
  EXPECT_NE(status.dump().find("disk: not limited"), std::string::npos) << status;
}

}  // namespace
}  // namespace benchtop::e2e
