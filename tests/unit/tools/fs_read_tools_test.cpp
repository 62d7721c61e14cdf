#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <regex>

#include "common/base64.h"
#include "tests/support/fs_tools_test_support.h"
#include "tests/support/tool_list_support.h"
#include "tools/common/output_budget.h"

namespace benchtop {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::write_file;

std::string lines(int from, int to) {
  std::string text;
  for (int i = from; i <= to; ++i) text += "line " + std::to_string(i) + "\n";
  return text;
}

class FsReadTest : public testing::FsToolsFixture {};

TEST_F(FsReadTest, ReadsAWholeSmallFile) {
  write_file(root() / "src" / "a.txt", "one\ntwo\nthree\n");
  auto result = call("fs_read", {{"path", "src/a.txt"}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  const auto& s = *result.structured;
  EXPECT_EQ(s["kind"], "text");
  EXPECT_EQ(s["content"], "one\ntwo\nthree\n");
  EXPECT_EQ(s["start_line"], 1);
  EXPECT_EQ(s["end_line"], 3);
  EXPECT_EQ(s["total_lines"], 3);
  EXPECT_EQ(s["truncated"], false);
  EXPECT_FALSE(s.contains("next_offset"));
  EXPECT_EQ(text_of(result), "one\ntwo\nthree\n");
}

TEST_F(FsReadTest, AcceptsAbsolutePathInsideAndProject) {
  write_file(root() / "a.txt", "x\n");
  auto result = call("fs_read", {{"path", (root() / "a.txt").string()}, {"project", "demo"}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ((*result.structured)["path"], "a.txt");
  auto unknown = call("fs_read", {{"path", "a.txt"}, {"project", "nope"}});
  EXPECT_TRUE(unknown.is_error);
  EXPECT_NE(text_of(unknown).find("project_list"), std::string::npos);
}

TEST_F(FsReadTest, OffsetAndLimit) {
  write_file(root() / "f.txt", lines(1, 10));
  auto result = call("fs_read", {{"path", "f.txt"}, {"offset", 3}, {"limit", 2}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  const auto& s = *result.structured;
  EXPECT_EQ(s["content"], "line 3\nline 4\n");
  EXPECT_EQ(s["start_line"], 3);
  EXPECT_EQ(s["end_line"], 4);
  EXPECT_EQ(s["total_lines"], 10);
  EXPECT_EQ(s["truncated"], true);
  EXPECT_EQ(s["next_offset"], 5);
  EXPECT_EQ(s["remaining_lines"], 6);
  EXPECT_NE(text_of(result).find("offset=5"), std::string::npos);

  auto zero = call("fs_read", {{"path", "f.txt"}, {"offset", 0}, {"limit", 1}});
  EXPECT_EQ((*zero.structured)["content"], "line 1\n");
}

TEST_F(FsReadTest, NegativeOffsetCountsFromTheEnd) {
  write_file(root() / "f.txt", lines(1, 10));
  auto result = call("fs_read", {{"path", "f.txt"}, {"offset", -3}});
  ASSERT_FALSE(result.is_error);
  EXPECT_EQ((*result.structured)["content"], "line 8\nline 9\nline 10\n");
  EXPECT_EQ((*result.structured)["start_line"], 8);
  EXPECT_EQ((*result.structured)["truncated"], false);
  auto too_far = call("fs_read", {{"path", "f.txt"}, {"offset", -50}, {"limit", 2}});
  EXPECT_EQ((*too_far.structured)["content"], "line 1\nline 2\n");
}

TEST_F(FsReadTest, OffsetPastTheEndIsAnError) {
  write_file(root() / "f.txt", lines(1, 3));
  auto result = call("fs_read", {{"path", "f.txt"}, {"offset", 4}});
  ASSERT_TRUE(result.is_error);
  EXPECT_NE(text_of(result).find("has 3 lines"), std::string::npos) << text_of(result);
}

TEST_F(FsReadTest, EmptyFileAndMissingFinalNewline) {
  write_file(root() / "empty.txt", "");
  auto empty = call("fs_read", {{"path", "empty.txt"}});
  ASSERT_FALSE(empty.is_error) << text_of(empty);
  EXPECT_EQ((*empty.structured)["total_lines"], 0);
  EXPECT_EQ((*empty.structured)["content"], "");
  write_file(root() / "nonl.txt", "a\nb");
  auto nonl = call("fs_read", {{"path", "nonl.txt"}, {"offset", 2}});
  EXPECT_EQ((*nonl.structured)["total_lines"], 2);
  EXPECT_EQ((*nonl.structured)["content"], "b");
}

TEST_F(FsReadTest, DefaultLineCap) {
  write_file(root() / "long.txt", lines(1, 2500));
  auto result = call("fs_read", {{"path", "long.txt"}});
  const auto& s = *result.structured;
  EXPECT_EQ(s["end_line"], 2000);
  EXPECT_EQ(s["truncated"], true);
  EXPECT_EQ(s["next_offset"], 2001);
  EXPECT_EQ(s["total_lines"], 2500);
  auto rest = call("fs_read", {{"path", "long.txt"}, {"offset", 2001}});
  EXPECT_EQ((*rest.structured)["content"], lines(2001, 2500));
  EXPECT_EQ((*rest.structured)["truncated"], false);
  EXPECT_TRUE(call("fs_read", {{"path", "long.txt"}, {"limit", 2001}}).is_error);
}

TEST_F(FsReadTest, ByteCapStopsAtAWholeLine) {
  const std::string row = std::string(999, 'x') + "\n";
  std::string content;
  for (int i = 0; i < 1000; ++i) content += row;
  write_file(root() / "wide.txt", content);
  auto result = call("fs_read", {{"path", "wide.txt"}});
  const auto& s = *result.structured;
  const std::string returned = s["content"];
  // The output budget (32 KiB), not the 256 KiB a window may hold.
  EXPECT_LE(returned.size(), kDefaultOutputBudget);
  EXPECT_GT(returned.size(), kDefaultOutputBudget - 1000);
  EXPECT_EQ(returned.size() % 1000, 0u);
  EXPECT_EQ(s["end_line"], static_cast<int>(returned.size() / 1000));
  EXPECT_EQ(s["next_offset"], s["end_line"].get<int>() + 1);
  EXPECT_EQ(s["total_lines"], 1000);
  EXPECT_EQ(s["truncated"], true);
  const std::string text = text_of(result);
  EXPECT_LE(text.size(), kDefaultOutputBudget + 200);
  EXPECT_NE(text.find("Call fs_read with offset=" + std::to_string(s["next_offset"].get<int>()) +
                      " to continue."),
            std::string::npos)
      << text.substr(text.size() - 200);
  EXPECT_LE(result.to_json().dump().size(), 2 * kDefaultOutputBudget + 1024);
}

TEST_F(FsReadTest, HugeFilesAreNotCountedToTheEnd) {
  // Text at the start, then a sparse hole: cheap to create, 96 MiB to scan.
  write_file(root() / "huge.log", lines(1, 2000));  // past the 8 KiB binary sniff
  ASSERT_EQ(::truncate((root() / "huge.log").c_str(), 96 << 20), 0);
  auto head = call("fs_read", {{"path", "huge.log"}, {"limit", 3}});
  ASSERT_FALSE(head.is_error) << text_of(head);
  const auto& s = *head.structured;
  EXPECT_EQ(s["content"], lines(1, 3));
  EXPECT_FALSE(s.contains("total_lines"));
  EXPECT_EQ(s["truncated"], true);
  EXPECT_EQ(s["next_offset"], 4);
  EXPECT_NE(text_of(head).find("too large to count"), std::string::npos) << text_of(head);
}

TEST_F(FsReadTest, OverlongLineIsCutAtACharacterBoundary) {
  std::string huge;
  while (huge.size() < 300 * 1024) huge += "\xC3\xA9";  // 'é', two bytes
  write_file(root() / "huge.txt", huge + "\nnext\n");
  auto result = call("fs_read", {{"path", "huge.txt"}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  const auto& s = *result.structured;
  EXPECT_EQ(s["line_cut"], true);
  EXPECT_EQ(s["end_line"], 1);
  EXPECT_EQ(s["next_offset"], 2);
  EXPECT_EQ(s["content"].get<std::string>().size() % 2, 0u);
  EXPECT_LE(s["content"].get<std::string>().size(), kDefaultOutputBudget);
  EXPECT_NE(text_of(result).find("Line 1 is longer than 32 KiB and was cut short."),
            std::string::npos);
}

TEST_F(FsReadTest, LinesAcrossReadChunksComeBackWhole) {
  std::string content;
  std::vector<std::string> rows;
  for (int i = 0; i < 5000; ++i) {
    rows.push_back(std::to_string(i) + std::string(static_cast<size_t>(i % 97), '-'));
    content += rows.back() + "\n";
  }
  write_file(root() / "mixed.txt", content);
  for (int offset : {1, 700, 1333, 2999, 4990}) {
    auto result = call("fs_read", {{"path", "mixed.txt"}, {"offset", offset}, {"limit", 9}});
    std::string expected;
    for (int i = offset - 1; i < std::min(offset + 8, 5000); ++i) expected += rows[i] + "\n";
    EXPECT_EQ((*result.structured)["content"], expected) << offset;
    EXPECT_EQ((*result.structured)["total_lines"], 5000);
  }
}

TEST_F(FsReadTest, ImagesComeBackAsImageContent) {
  const std::string png = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + std::string(40, '\0');
  write_file(root() / "logo.png", png);
  auto result = call("fs_read", {{"path", "logo.png"}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  ASSERT_EQ(result.content[0]["type"], "image");
  EXPECT_EQ(result.content[0]["mimeType"], "image/png");
  EXPECT_EQ(base64::decode(result.content[0]["data"].get<std::string>()), png);
  EXPECT_EQ((*result.structured)["kind"], "image");
  EXPECT_EQ((*result.structured)["size"], static_cast<int>(png.size()));

  // An image over several read chunks comes back whole.
  std::string large = png;
  for (size_t i = 0; large.size() < 200 * 1024; ++i) large.push_back(static_cast<char>(i * 7));
  write_file(root() / "large.png", large);
  auto whole = call("fs_read", {{"path", "large.png"}});
  ASSERT_FALSE(whole.is_error) << text_of(whole);
  EXPECT_EQ(base64::decode(whole.content[0]["data"].get<std::string>()), large);

  const std::pair<std::string, std::string> others[] = {
      {std::string("\xFF\xD8\xFF\xE0\0\x10JFIF", 10), "image/jpeg"},
      {"GIF89a\x01\x00\x01\x00", "image/gif"},
      {std::string("RIFF\x24\0\0\0WEBPVP8 ", 16), "image/webp"}};
  for (const auto& [bytes, mime] : others) {
    write_file(root() / "img", bytes);
    auto image = call("fs_read", {{"path", "img"}});
    ASSERT_FALSE(image.is_error) << mime;
    EXPECT_EQ(image.content[0]["mimeType"], mime);
  }
}

TEST_F(FsReadTest, RefusesBinaryAndNonUtf8Files) {
  write_file(root() / "prog.bin", std::string("\x7f"
                                              "ELF\0\0\0\x01",
                                              8));
  auto binary = call("fs_read", {{"path", "prog.bin"}});
  ASSERT_TRUE(binary.is_error);
  EXPECT_NE(text_of(binary).find("binary"), std::string::npos);
  write_file(root() / "latin1.txt", "caf\xE9\n");
  auto latin1 = call("fs_read", {{"path", "latin1.txt"}});
  ASSERT_TRUE(latin1.is_error);
  EXPECT_NE(text_of(latin1).find("UTF-8"), std::string::npos);
}

TEST_F(FsReadTest, RefusesDirectoriesAndSpecialFiles) {
  fs::create_directory(root() / "dir");
  auto dir = call("fs_read", {{"path", "dir"}});
  ASSERT_TRUE(dir.is_error);
  EXPECT_NE(text_of(dir).find("fs_list"), std::string::npos);
  ASSERT_EQ(::mkfifo((root() / "pipe").c_str(), 0600), 0);
  auto fifo = call("fs_read", {{"path", "pipe"}});  // must not block waiting for a writer
  ASSERT_TRUE(fifo.is_error);
  EXPECT_NE(text_of(fifo).find("not a regular file"), std::string::npos);
}

TEST_F(FsReadTest, NeverReadsOutside) {
  write_file(outside() / "secret.txt", "TOP SECRET\n");
  fs::create_symlink(outside() / "secret.txt", root() / "abs_link");
  fs::create_symlink("../outside/secret.txt", root() / "rel_link");
  fs::create_directory_symlink(outside(), root() / "dir_link");
  for (const std::string& path :
       {std::string("../outside/secret.txt"), (outside() / "secret.txt").string(),
        std::string("abs_link"), std::string("rel_link"), std::string("dir_link/secret.txt"),
        root().string() + "/../outside/secret.txt"}) {
    auto result = call("fs_read", {{"path", path}});
    ASSERT_TRUE(result.is_error) << path;
    EXPECT_EQ(text_of(result).find("TOP SECRET"), std::string::npos);
    EXPECT_NE(text_of(result).find("workspace"), std::string::npos) << text_of(result);
  }
}

TEST_F(FsReadTest, MissingFileSaysWhatToDo) {
  auto result = call("fs_read", {{"path", "src/x.c"}});
  ASSERT_TRUE(result.is_error);
  EXPECT_EQ(text_of(result), "No such file or directory: src/x.c. Use fs_list to see what exists.");
}

TEST_F(FsReadTest, StatDescribesFilesLinksAndRoot) {
  write_file(root() / "f.txt", "12345");
  ::chmod((root() / "f.txt").c_str(), 0640);
  auto file = call("fs_stat", {{"path", "f.txt"}});
  ASSERT_FALSE(file.is_error) << text_of(file);
  const auto& s = *file.structured;
  EXPECT_EQ(s["type"], "file");
  EXPECT_EQ(s["size"], 5);
  EXPECT_EQ(s["mode"], "0640");
  EXPECT_TRUE(std::regex_match(s["mtime"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << s["mtime"];

  write_file(outside() / "secret.txt", "s");
  fs::create_symlink(outside() / "secret.txt", root() / "out");
  fs::create_symlink("f.txt", root() / "in");
  fs::create_symlink("gone", root() / "dangling");
  auto out = call("fs_stat", {{"path", "out"}});
  ASSERT_FALSE(out.is_error) << text_of(out);
  EXPECT_EQ((*out.structured)["type"], "symlink");
  EXPECT_EQ((*out.structured)["target"], (outside() / "secret.txt").string());
  EXPECT_EQ((*out.structured)["target_status"], "outside");
  EXPECT_EQ((*call("fs_stat", {{"path", "in"}}).structured)["target_status"], "inside");
  EXPECT_EQ((*call("fs_stat", {{"path", "dangling"}}).structured)["target_status"], "dangling");

  auto ws_root = call("fs_stat", nlohmann::json::object());
  ASSERT_FALSE(ws_root.is_error);
  EXPECT_EQ((*ws_root.structured)["type"], "directory");
  EXPECT_EQ((*ws_root.structured)["path"], ".");

  auto missing = call("fs_stat", {{"path", "nope"}});
  ASSERT_TRUE(missing.is_error);
  EXPECT_TRUE(call("fs_stat", {{"path", "../outside/secret.txt"}}).is_error);
}

TEST_F(FsReadTest, ToolDefinitionsFollowTheConventions) {
  const auto list = registry_.list();
  std::map<std::string, nlohmann::json> tools;
  for (const auto& tool : list) tools[tool["name"]] = tool;
  for (const char* name : {"fs_read", "fs_stat", "fs_list", "fs_write", "fs_edit", "fs_apply_patch",
                           "fs_delete", "fs_move"}) {
    ASSERT_TRUE(tools.count(name)) << name;
    const auto& tool = tools[name];
    EXPECT_EQ(tool["inputSchema"]["additionalProperties"], false) << name;
    EXPECT_TRUE(tool.contains("outputSchema")) << name;
    for (const auto& [property, schema] : tool["inputSchema"]["properties"].items()) {
      if (testing::argument_needs_description(name, property)) {
        EXPECT_TRUE(schema.contains("description")) << name << "." << property;
      }
    }
    EXPECT_FALSE(tool["annotations"].value("openWorldHint", true)) << name;
  }
  for (const char* name : {"fs_read", "fs_stat", "fs_list"}) {
    EXPECT_TRUE(tools[name]["annotations"].value("readOnlyHint", false)) << name;
    EXPECT_FALSE(tools[name]["annotations"].contains("destructiveHint")) << name;
  }
  for (const char* name : {"fs_write", "fs_edit", "fs_apply_patch", "fs_delete", "fs_move"}) {
    EXPECT_FALSE(tools[name]["annotations"].value("readOnlyHint", false)) << name;
    EXPECT_TRUE(tools[name]["annotations"].value("destructiveHint", true)) << name;
  }
  EXPECT_FALSE(tools["fs_write"]["annotations"].value("idempotentHint", false));
  write_file(root() / "x.txt", "x\n");
  auto unknown = call("fs_read", {{"path", "x.txt"}, {"bogus", 1}});
  EXPECT_TRUE(unknown.is_error);
  EXPECT_NE(text_of(unknown).find("bogus"), std::string::npos) << text_of(unknown);
  EXPECT_TRUE(call("fs_edit", {{"path", "x.txt"}, {"edits", nlohmann::json::array()}}).is_error);
  EXPECT_TRUE(
      call("fs_write", {{"path", "x.txt"}, {"content", "y"}, {"mode", "truncate"}}).is_error);
  EXPECT_EQ(read_file(root() / "x.txt"), "x\n");
}

}  // namespace
}  // namespace benchtop

namespace benchtop {
namespace {

class FsReadManyTest : public testing::FsToolsFixture {};

TEST_F(FsReadManyTest, LineNumbersPrefixTheTextAndLeaveTheContentVerbatim) {
  write_file(root() / "a.txt", "one\ntwo\nthree\n");
  auto result = call("fs_read", {{"path", "a.txt"}, {"offset", 2}, {"line_numbers", true}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(text_of(result), "     2\ttwo\n     3\tthree\n");
  EXPECT_EQ((*result.structured)["content"], "two\nthree\n");
}

TEST_F(FsReadManyTest, SeveralFilesInOneCallEachWithItsOwnOutcome) {
  write_file(root() / "a.txt", "alpha\n");
  write_file(root() / "b.txt", "beta\n");
  auto result = call("fs_read", {{"paths", {"a.txt", "missing.txt", "b.txt"}}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  const auto& files = (*result.structured)["files"];
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0]["content"], "alpha\n");
  EXPECT_TRUE(files[1].contains("error")) << files[1];
  EXPECT_EQ(files[2]["content"], "beta\n");
  const std::string text = text_of(result);
  EXPECT_NE(text.find("==> a.txt <==\nalpha\n"), std::string::npos) << text;
  EXPECT_NE(text.find("==> b.txt <==\nbeta\n"), std::string::npos) << text;
  EXPECT_NE(text.find("==> missing.txt <==\n["), std::string::npos) << text;
}

TEST_F(FsReadManyTest, SeveralFilesShareOneBudget) {
  const std::string big(200 * 1024, 'x');
  write_file(root() / "big1.txt", big + "\n");
  write_file(root() / "big2.txt", big + "\n");
  write_file(root() / "small.txt", "small\n");
  auto result = call("fs_read", {{"paths", {"big1.txt", "big2.txt", "small.txt"}}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  const auto& files = (*result.structured)["files"];
  ASSERT_EQ(files.size(), 3u);
  // big1.txt's one line takes the whole budget; what follows is left for calls of its own.
  EXPECT_EQ(files[0]["line_cut"], true);
  EXPECT_EQ(files[1]["error"], "not read: this call's 32 KiB are spent") << files[1];
  EXPECT_TRUE(files[2].contains("error")) << files[2];
  EXPECT_LT(text_of(result).size(), kDefaultOutputBudget + 1024);
}

TEST_F(FsReadManyTest, PathAndPathsAreExclusiveAndEscapesAreRefusedInEach) {
  write_file(root() / "a.txt", "alpha\n");
  EXPECT_TRUE(call("fs_read", {{"path", "a.txt"}, {"paths", {"a.txt"}}}).is_error);
  EXPECT_TRUE(call("fs_read", nlohmann::json::object()).is_error);
  auto escapes = call("fs_read", {{"paths", {"../outside.txt", "/etc/passwd"}}});
  EXPECT_TRUE(escapes.is_error) << "nothing could be read";
  EXPECT_EQ((*escapes.structured)["files"].size(), 2u);
}

}  // namespace
}  // namespace benchtop
