// The git tools' test fixture: a registry with the git tools over one temporary workspace,
// settings kept in memory (through the real update rules), and call helpers.
#pragma once

#include <git2.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "server/git/git_handles.h"
#include "server/git/remote/remote_url.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/project/git_settings.h"
#include "tests/support/fs_test_support.h"
#include "tools/git/git_tools.h"

namespace benchtop::testing {

using nlohmann::json;

// What an operator passing --git-protocols https,file gets: local repositories as remotes.
inline git::TransportPolicy local_remotes() {
  return *git::TransportPolicy::parse("https,file");
}

// An empty bare repository "remote.git" (HEAD on main) in `directory`: a repository on the
// server's host, outside any workspace.
inline std::filesystem::path make_bare_repository(const std::filesystem::path& directory) {
  const std::filesystem::path path = directory / "remote.git";
  git_repository* raw = nullptr;
  git_repository_init_options options = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  options.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
  options.initial_head = "main";
  if (git_repository_init_ext(&raw, path.c_str(), &options) != 0) ADD_FAILURE() << "bare init";
  git_repository_free(raw);
  return path;
}

class MemoryGitSettings : public git::GitSettingsSource {
 public:
  Result<git::GitSettings> settings(const std::optional<std::string>&) override { return value; }
  Result<git::GitSettings> update(const std::optional<std::string>&,
                                  const git::GitSettingsUpdate& update) override {
    auto next = git::apply_settings_update(value, update);
    if (next) value = *next;
    return next;
  }
  git::GitSettings value;
};

class GitToolsTest : public ::testing::Test {
 protected:
  explicit GitToolsTest(const git::TransportPolicy& policy = git::TransportPolicy::defaults())
      : provider_(dirs_.root()) {
    register_git_tools(registry_, provider_, settings_, policy);
  }

  ToolResult call(const std::string& tool, json arguments = json::object()) {
    ToolContext context;
    auto result = registry_.call(tool, arguments, context);
    if (!result) {
      ADD_FAILURE() << "no tool " << tool;
      return ToolResult::error("no such tool");
    }
    return *result;
  }
  static std::string text_of(const ToolResult& result) {
    std::string text;
    for (const auto& item : result.content) text += item.value("text", "");
    return text;
  }
  json ok(const std::string& tool, json arguments = json::object()) {
    ToolResult result = call(tool, std::move(arguments));
    EXPECT_FALSE(result.is_error) << tool << ": " << text_of(result);
    return result.structured.value_or(json::object());
  }
  std::string refused(const std::string& tool, json arguments) {
    ToolResult result = call(tool, std::move(arguments));
    EXPECT_TRUE(result.is_error) << tool << " should have failed: " << text_of(result);
    return text_of(result);
  }

  std::filesystem::path root() const { return dirs_.root(); }
  void write(const std::string& relative, const std::string& content) {
    write_file(root() / relative, content);
  }

  // Sets (or with std::nullopt deletes) `key` in the workspace's .git/config directly, as code
  // in the project can.
  void set_config(const std::string& key, const std::optional<std::string>& value) {
    git_repository* raw = nullptr;
    ASSERT_EQ(git_repository_open(&raw, root().c_str()), 0);
    git::RepositoryPtr repo(raw);
    git_config* config = nullptr;
    ASSERT_EQ(git_repository_config(&config, repo.get()), 0);
    EXPECT_EQ(value ? git_config_set_string(config, key.c_str(), value->c_str())
                    : git_config_delete_entry(config, key.c_str()),
              0);
    git_config_free(config);
  }

  // A repository with one commit of a.txt.
  void init_with_commit() {
    ok("git_init");
    write("a.txt", "one\n");
    ok("git_add", {{"paths", {"a.txt"}}});
    ok("git_commit", {{"message", "first"}});
  }

  git::GitLibrary library_;
  WorkspaceFixtureDirs dirs_;
  SingleWorkspaceProvider provider_;
  MemoryGitSettings settings_;
  ToolRegistry registry_;
};

}  // namespace benchtop::testing
