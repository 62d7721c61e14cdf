#include "tools/search/search_tools.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "server/workspace/workspace.h"
#include "tests/support/fs_test_support.h"
#include "tests/support/search_test_support.h"
#include "tests/support/tool_list_support.h"
#include "tools/common/output_budget.h"

namespace benchtop {
namespace {

class SearchToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.write(".gitignore", "build/\n*.log\n");
    tree_.write("README.md", "# Demo\nSee src/main.cpp for the entry point.\n");
    tree_.write("src/main.cpp", "#include \"util.h\"\nint main() {\n  return helper();\n}\n");
    tree_.write("src/util.h", "int helper();\n");
    tree_.write("src/util.cpp", "int helper() { return 42; }\n");
    tree_.write("src/deep/er/nested.cpp", "// TODO: helper cleanup\n");
    tree_.write("build/output.cpp", "int helper_output();\n");
    tree_.write("debug.log", "helper log\n");
    tree_.write(".github/workflows/ci.yml", "run: helper\n");
    tree_.write("data.bin", std::string("helper\0\0binary", 14));
    outside_.write("secret/creds.cpp", "int helper_secret = 1; // password\n");
    outside_.write("lonely.txt", "helper outside\n");
    tree_.symlink(outside_.root() / "secret", "src/escape");
    tree_.symlink(outside_.root() / "lonely.txt", "src/lonely.txt");
    provider_ = std::make_unique<testing::SingleWorkspaceProvider>(tree_.root());
    register_search_tools(registry_, *provider_);
  }

  ToolResult call(const std::string& name, const nlohmann::json& args) {
    ToolContext context;
    auto result = registry_.call(name, args, context);
    EXPECT_TRUE(result.has_value());
    return result.value_or(ToolResult::error("no such tool"));
  }

  static std::string text_of(const ToolResult& result) {
    return result.content.at(0).at("text").get<std::string>();
  }

  static std::vector<std::string> paths_of(const ToolResult& result) {
    std::vector<std::string> paths;
    for (const auto& item : result.structured->at("matches")) {
      paths.push_back(item.at("path").get<std::string>());
    }
    return paths;
  }

  testing::TempTree tree_;
  testing::TempTree outside_;
  std::unique_ptr<testing::SingleWorkspaceProvider> provider_;
  ToolRegistry registry_;
};

TEST_F(SearchToolsTest, ToolsAreListedAsReadOnlyWithSchemas) {
  auto list = registry_.list();
  ASSERT_EQ(list.size(), 2u);
  for (const auto& tool : list) testing::expect_read_only_listing(tool);
}

TEST_F(SearchToolsTest, GlobByNameFindsFilesAtAnyDepthSorted) {
  auto result = call("fs_glob", {{"pattern", "*.cpp"}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(paths_of(result),
            (std::vector<std::string>{"src/deep/er/nested.cpp", "src/main.cpp", "src/util.cpp"}));
  EXPECT_EQ(result.structured->at("total"), 3);
  EXPECT_EQ(result.structured->at("truncated"), false);
  EXPECT_NE(text_of(result).find("src/main.cpp\n"), std::string::npos);
}

TEST_F(SearchToolsTest, GlobWithPathsBracesAndAnchors) {
  auto braces = call("fs_glob", {{"pattern", "src/*.{h,cpp}"}});
  ASSERT_FALSE(braces.is_error) << text_of(braces);
  EXPECT_EQ(paths_of(braces),
            (std::vector<std::string>{"src/main.cpp", "src/util.cpp", "src/util.h"}));

  auto relative = call("fs_glob", {{"pattern", "**/*.cpp"}, {"path", "src/deep"}});
  ASSERT_FALSE(relative.is_error) << text_of(relative);
  EXPECT_EQ(paths_of(relative), (std::vector<std::string>{"src/deep/er/nested.cpp"}));

  auto top = call("fs_glob", {{"pattern", "/*.md"}});
  EXPECT_EQ(paths_of(top), (std::vector<std::string>{"README.md"}));

  auto dirs = call("fs_glob", {{"pattern", "src/*"}});
  const auto& matches = dirs.structured->at("matches");
  ASSERT_GE(matches.size(), 1u);
  EXPECT_EQ(matches[0]["path"], "src/deep");
  EXPECT_EQ(matches[0]["type"], "directory");
  EXPECT_NE(text_of(dirs).find("src/deep/\n"), std::string::npos);
}

TEST_F(SearchToolsTest, GlobRespectsGitignoreAndHiddenEntries) {
  auto all = call("fs_glob", {{"pattern", "**"}});
  ASSERT_FALSE(all.is_error);
  for (const auto& path : paths_of(all)) {
    EXPECT_FALSE(path.starts_with("build")) << path;
    EXPECT_FALSE(path.ends_with(".log")) << path;
    EXPECT_FALSE(path.starts_with(".")) << path;
  }
  auto hidden = call("fs_glob", {{"pattern", "*.yml"}, {"include_hidden", true}});
  EXPECT_EQ(paths_of(hidden), (std::vector<std::string>{".github/workflows/ci.yml"}));
  auto named = call("fs_glob", {{"pattern", ".github/**"}});
  EXPECT_EQ(paths_of(named),
            (std::vector<std::string>{".github/workflows", ".github/workflows/ci.yml"}));
}

TEST_F(SearchToolsTest, GlobCapsResultsAndSaysHowManyMore) {
  for (int i = 0; i < 30; ++i) tree_.write("many/f" + std::to_string(100 + i) + ".txt", "");
  auto result = call("fs_glob", {{"pattern", "many/*.txt"}, {"max_results", 10}});
  ASSERT_FALSE(result.is_error);
  EXPECT_EQ(result.structured->at("matches").size(), 10u);
  EXPECT_EQ(result.structured->at("total"), 30);
  EXPECT_EQ(result.structured->at("truncated"), true);
  EXPECT_NE(result.structured->at("note").get<std::string>().find("20 more"), std::string::npos);
}

TEST_F(SearchToolsTest, GlobNeverFollowsSymlinksOutOfTheWorkspace) {
  auto result = call("fs_glob", {{"pattern", "**"}});
  ASSERT_FALSE(result.is_error);
  const auto paths = paths_of(result);
  for (const auto& path : paths) EXPECT_EQ(path.find("creds"), std::string::npos) << path;
  // The links themselves are listed as symlinks, nothing beneath them.
  bool saw_link = false;
  for (const auto& item : result.structured->at("matches")) {
    if (item["path"] == "src/escape") {
      saw_link = true;
      EXPECT_EQ(item["type"], "symlink");
    }
  }
  EXPECT_TRUE(saw_link);
  auto through = call("fs_glob", {{"pattern", "*"}, {"path", "src/escape"}});
  EXPECT_TRUE(through.is_error);
  auto up = call("fs_glob", {{"pattern", "*"}, {"path", ".."}});
  EXPECT_TRUE(up.is_error);
  auto absolute = call("fs_glob", {{"pattern", "*"}, {"path", outside_.root().string()}});
  EXPECT_TRUE(absolute.is_error);
}

TEST_F(SearchToolsTest, GrepFindsLinesWithPathLineAndText) {
  auto result = call("fs_grep", {{"pattern", "helper\\(\\)"}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  const auto& matches = result.structured->at("matches");
  ASSERT_EQ(matches.size(), 3u) << text_of(result);
  EXPECT_EQ(matches[0]["path"], "src/main.cpp");
  EXPECT_EQ(matches[0]["line"], 3);
  EXPECT_EQ(matches[0]["column"], 10);
  EXPECT_EQ(matches[0]["text"], "  return helper();");
  EXPECT_EQ(matches[1]["path"], "src/util.cpp");
  EXPECT_EQ(matches[2]["path"], "src/util.h");
  EXPECT_EQ(result.structured->at("files_with_matches"), 3);
  EXPECT_NE(text_of(result).find("src/main.cpp:3:   return helper();\n"), std::string::npos)
      << text_of(result);
}

TEST_F(SearchToolsTest, GrepKeepsTheHeadAndTailMatchesWithinTheOutputBudget) {
  std::string lines;
  for (int i = 1; i <= 3000; ++i) lines += "needle number " + std::to_string(i) + " of many\n";
  tree_.write("big.txt", lines);
  auto result =
      call("fs_grep", {{"pattern", "needle"}, {"path", "big.txt"}, {"max_results", 5000}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  const std::string text = text_of(result);
  EXPECT_LE(text.size(), kDefaultOutputBudget + 200);
  EXPECT_NE(text.find("big.txt:1: needle number 1 of many\n"), std::string::npos);
  EXPECT_NE(text.find("big.txt:3000: needle number 3000 of many\n"), std::string::npos);
  EXPECT_NE(text.find("matches among them; narrow `path`, `glob` or `pattern`"), std::string::npos)
      << text;
  // structuredContent holds the same whole matches: the head's and the tail's.
  const auto& matches = result.structured->at("matches");
  EXPECT_TRUE(result.structured->at("truncated").get<bool>());
  ASSERT_GT(matches.size(), 100u);
  EXPECT_LT(matches.size(), 3000u);
  EXPECT_EQ(matches.front()["line"], 1);
  EXPECT_EQ(matches.back()["line"], 3000);
  for (const auto& match : matches) {
    const std::string line = "big.txt:" + std::to_string(match["line"].get<int>()) + ": ";
    EXPECT_NE(text.find(line + match["text"].get<std::string>() + "\n"), std::string::npos) << line;
  }
}

TEST_F(SearchToolsTest, GrepSkipsIgnoredHiddenBinaryAndOutsideFiles) {
  auto result = call("fs_grep", {{"pattern", "helper"}, {"max_results", 100}});
  ASSERT_FALSE(result.is_error);
  const auto paths = paths_of(result);
  for (const auto& path : paths) {
    EXPECT_FALSE(path.starts_with("build/")) << path;
    EXPECT_NE(path, "debug.log");
    EXPECT_NE(path, ".github/workflows/ci.yml");
    EXPECT_NE(path, "data.bin");
    EXPECT_FALSE(path.starts_with("src/escape")) << path;
    EXPECT_NE(path, "src/lonely.txt");
  }
  EXPECT_EQ(text_of(result).find("secret"), std::string::npos);
  EXPECT_EQ(text_of(result).find("outside"), std::string::npos);
  EXPECT_NE(result.structured->at("note").get<std::string>().find("1 binary"), std::string::npos);

  // Naming a symlinked file or directory directly does not reach outside either.
  auto file_link = call("fs_grep", {{"pattern", "helper"}, {"path", "src/lonely.txt"}});
  EXPECT_TRUE(file_link.is_error);
  tree_.symlink("util.h", "src/alias.h");  // inside the workspace, but still not followed
  auto inner_link = call("fs_grep", {{"pattern", "helper"}, {"path", "src/alias.h"}});
  ASSERT_TRUE(inner_link.is_error);
  EXPECT_NE(text_of(inner_link).find("symlink"), std::string::npos) << text_of(inner_link);
  auto dir_link = call("fs_grep", {{"pattern", "helper"}, {"path", "src/escape"}});
  EXPECT_TRUE(dir_link.is_error);
}

TEST_F(SearchToolsTest, GrepWithGlobPathContextAndCase) {
  auto glob = call("fs_grep", {{"pattern", "helper"}, {"glob", "*.h"}});
  EXPECT_EQ(paths_of(glob), (std::vector<std::string>{"src/util.h"}));

  auto deep = call("fs_grep", {{"pattern", "helper"}, {"glob", "src/deep/**"}});
  EXPECT_EQ(paths_of(deep), (std::vector<std::string>{"src/deep/er/nested.cpp"}));
  auto under_path = call("fs_grep", {{"pattern", "helper"}, {"path", "src"}, {"glob", "*/er/*"}});
  EXPECT_EQ(paths_of(under_path), (std::vector<std::string>{"src/deep/er/nested.cpp"}));

  auto file = call("fs_grep", {{"pattern", "return"}, {"path", "src/util.cpp"}});
  ASSERT_FALSE(file.is_error) << text_of(file);
  EXPECT_EQ(paths_of(file), (std::vector<std::string>{"src/util.cpp"}));

  auto context = call("fs_grep", {{"pattern", "return"}, {"path", "src/main.cpp"}, {"context", 1}});
  ASSERT_FALSE(context.is_error);
  const auto& match = context.structured->at("matches").at(0);
  EXPECT_EQ(match["before"], nlohmann::json({"int main() {"}));
  EXPECT_EQ(match["after"], nlohmann::json({"}"}));
  EXPECT_NE(text_of(context).find("src/main.cpp-2- int main() {\n"), std::string::npos)
      << text_of(context);

  auto upper = call("fs_grep", {{"pattern", "DEMO"}, {"ignore_case", true}});
  EXPECT_EQ(paths_of(upper), (std::vector<std::string>{"README.md"}));
  auto literal = call("fs_grep", {{"pattern", "helper()"}, {"literal", true}});
  EXPECT_EQ(paths_of(literal),
            (std::vector<std::string>{"src/main.cpp", "src/util.cpp", "src/util.h"}));
}

TEST_F(SearchToolsTest, GrepInvalidRegexIsAnActionableError) {
  auto result = call("fs_grep", {{"pattern", "helper("}});
  ASSERT_TRUE(result.is_error);
  const std::string message = text_of(result);
  EXPECT_NE(message.find("offset 7"), std::string::npos) << message;
  EXPECT_NE(message.find("literal"), std::string::npos) << message;
}

TEST_F(SearchToolsTest, GrepCapsResultsWithANote) {
  std::string many;
  for (int i = 0; i < 50; ++i) many += "match line\n";
  tree_.write("many.txt", many);
  auto result = call("fs_grep", {{"pattern", "match line"}, {"max_results", 5}});
  ASSERT_FALSE(result.is_error);
  EXPECT_EQ(result.structured->at("matches").size(), 5u);
  EXPECT_EQ(result.structured->at("truncated"), true);
  EXPECT_NE(result.structured->at("note").get<std::string>().find("more exist"), std::string::npos);
}

TEST_F(SearchToolsTest, UnknownProjectAndMissingPathAreErrors) {
  EXPECT_TRUE(call("fs_grep", {{"pattern", "x"}, {"project", "nope"}}).is_error);
  EXPECT_TRUE(call("fs_glob", {{"pattern", "x"}, {"path", "missing"}}).is_error);
  EXPECT_FALSE(call("fs_glob", {{"pattern", "x"}, {"project", "demo"}}).is_error);
}

}  // namespace
}  // namespace benchtop
