#include "server/code/ctags.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace benchtop {
namespace {

using namespace std::chrono_literals;
using Outcome = TaggedFile::Outcome;

auto in(std::chrono::milliseconds budget) {
  return std::chrono::steady_clock::now() + budget;
}

class CtagsTest : public ::testing::Test {
 protected:
  // A stand-in for ctags: a shell script the helper may run (world-readable in a traversable
  // directory, since the helper runs as the sandbox identity when the tests run as root).
  std::filesystem::path fake_ctags(const std::string& body) {
    const auto path = dir_ / ("ctags-" + std::to_string(++scripts_));
    testing::write_file(path, "#!/bin/sh\n" + body);
    ::chmod(path.c_str(), 0755);
    ::chmod(dir_.path().c_str(), 0755);
    return path;
  }

  testing::TempDir dir_;
  int scripts_ = 0;
  ConfinedHelper helper_;
  Ctags ctags_{helper_};
};

TEST_F(CtagsTest, TagsSeveralFilesInOneRunEachUnderItsOwnName) {
  const std::string python = "class A:\n    def m(self):\n        pass\n";
  const std::string go = "package p\n\nfunc F() int {\n\treturn 1\n}\n";
  const std::string text = "just words\n";
  auto tagged = ctags_.tag({{"a.py", python}, {"notes.unknownext", text}, {"b.go", go}}, in(30s),
                           CancellationToken());
  ASSERT_TRUE(tagged) << tagged.error().message;
  ASSERT_EQ(tagged->size(), 3u);
  const TaggedFile& a = (*tagged)[0];
  EXPECT_EQ(a.outcome, Outcome::kTagged);
  EXPECT_EQ(a.language, "Python");
  ASSERT_EQ(a.symbols.size(), 2u);
  EXPECT_EQ(a.symbols[0].name, "A");
  EXPECT_EQ(a.symbols[0].end_line, 3u);
  EXPECT_EQ(a.symbols[1].name, "m");
  EXPECT_EQ(a.symbols[1].scope, "A");
  EXPECT_EQ(a.symbols[1].signature, "(self)");
  EXPECT_EQ((*tagged)[1].outcome, Outcome::kUnknownLanguage);
  EXPECT_TRUE((*tagged)[1].symbols.empty());
  const TaggedFile& b = (*tagged)[2];
  EXPECT_EQ(b.language, "Go");
  ASSERT_EQ(b.symbols.size(), 2u);
  EXPECT_EQ(b.symbols[1].name, "F");
  EXPECT_EQ(b.symbols[1].line, 3u);
  EXPECT_EQ(b.symbols[1].end_line, 5u);
}

TEST_F(CtagsTest, ALanguageIsGuessedFromTheFirstLineWhenTheNameSaysNothing) {
  auto tagged = ctags_.tag({{"run", "#!/usr/bin/env python3\ndef main():\n    pass\n"}}, in(30s),
                           CancellationToken());
  ASSERT_TRUE(tagged) << tagged.error().message;
  EXPECT_EQ(tagged->front().language, "Python");
  ASSERT_EQ(tagged->front().symbols.size(), 1u);
  EXPECT_EQ(tagged->front().symbols[0].name, "main");
}

TEST_F(CtagsTest, ANameThatIsNotPlainStillGivesItsExtension) {
  auto tagged =
      ctags_.tag({{"we\"ird\n{name}.py", "def f():\n    pass\n"}}, in(30s), CancellationToken());
  ASSERT_TRUE(tagged) << tagged.error().message;
  EXPECT_EQ(tagged->front().language, "Python");
  EXPECT_EQ(tagged->front().symbols.size(), 1u);
}

TEST_F(CtagsTest, TheFilterAndTheCapDecideWhatIsKept) {
  const std::string source = "def a():\n    pass\ndef b():\n    pass\ndef ab():\n    pass\n";
  auto tagged = ctags_.tag(
      {{"x.py", source}}, in(30s), CancellationToken(),
      [](const Symbol& symbol) { return symbol.name.starts_with("a"); }, 1);
  ASSERT_TRUE(tagged) << tagged.error().message;
  ASSERT_EQ(tagged->front().symbols.size(), 1u);
  EXPECT_EQ(tagged->front().symbols[0].name, "a");
  EXPECT_EQ(tagged->front().more, 1u);
}

TEST_F(CtagsTest, AMissingProgramNamesThePackage) {
  Ctags missing(helper_, {.program = "/nonexistent/ctags"});
  auto tagged = missing.tag({{"a.py", "x = 1\n"}}, in(30s), CancellationToken());
  ASSERT_FALSE(tagged);
  EXPECT_EQ(tagged.error().code, "unavailable");
  EXPECT_NE(tagged.error().message.find("universal-ctags"), std::string::npos);
  EXPECT_NE(tagged.error().message.find("/nonexistent/ctags"), std::string::npos);
}

TEST_F(CtagsTest, AProgramWithoutTheInteractiveSandboxIsRefusedWithItsMessage) {
  Ctags old(helper_, {.program = fake_ctags("echo \"ctags: unknown option --_interactive\" >&2\n"
                                            "exit 1\n")});
  auto tagged = old.tag({{"a.py", "x = 1\n"}}, in(30s), CancellationToken());
  ASSERT_FALSE(tagged);
  EXPECT_NE(tagged.error().message.find("unknown option --_interactive"), std::string::npos);
  EXPECT_NE(tagged.error().message.find("universal-ctags"), std::string::npos);
}

TEST_F(CtagsTest, AFileThatKillsCtagsFailsAloneAndTheRestAreTagged) {
  // Each run finishes the first file it is given and dies on the next one.
  Ctags crashing(helper_,
                 {.program = fake_ctags(
                      "echo '{\"_type\": \"program\", \"name\": \"Universal Ctags\"}'\n"
                      "echo '{\"_type\": \"tag\", \"name\": \"x\", \"line\": 1, \"kind\": "
                      "\"file\", \"language\": \"Python\", \"extras\": \"inputFile\"}'\n"
                      "echo '{\"_type\": \"tag\", \"name\": \"f\", \"line\": 2, \"kind\": "
                      "\"function\"}'\n"
                      "echo '{\"_type\": \"completed\", \"command\": \"generate-tags\"}'\n"
                      "echo '{\"_type\": \"tag\", \"name\": \"partial\", \"line\": 1, \"kind\": "
                      "\"function\"}'\n"
                      "kill -SEGV $$\n")});
  auto tagged =
      crashing.tag({{"a.py", "a"}, {"b.py", "b"}, {"c.py", "c"}}, in(30s), CancellationToken());
  ASSERT_TRUE(tagged) << tagged.error().message;
  EXPECT_EQ((*tagged)[0].outcome, Outcome::kTagged);
  EXPECT_EQ((*tagged)[0].symbols.size(), 1u);
  EXPECT_EQ((*tagged)[1].outcome, Outcome::kFailed);
  EXPECT_TRUE((*tagged)[1].symbols.empty());  // what it said before dying is dropped
  EXPECT_EQ((*tagged)[2].outcome, Outcome::kTagged);
}

TEST_F(CtagsTest, ARunPastTheDeadlineIsKilledThere) {
  Ctags slow(helper_, {.program = fake_ctags(
                           "echo '{\"_type\": \"program\", \"name\": \"Universal Ctags\"}'\n"
                           "exec sleep 600\n")});
  const auto started = std::chrono::steady_clock::now();
  auto tagged = slow.tag({{"a.py", "a"}, {"b.py", "b"}}, in(500ms), CancellationToken());
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(tagged) << tagged.error().message;
  EXPECT_EQ((*tagged)[0].outcome, Outcome::kTimedOut);
  EXPECT_EQ((*tagged)[1].outcome, Outcome::kNotReached);
  EXPECT_LT(took, 10s);
}

TEST_F(CtagsTest, ACancelledCallStopsTheRun) {
  Ctags slow(helper_, {.program = fake_ctags(
                           "echo '{\"_type\": \"program\", \"name\": \"Universal Ctags\"}'\n"
                           "exec sleep 600\n")});
  CancellationSource cancel;
  cancel.cancel();
  auto tagged = slow.tag({{"a.py", "a"}}, in(60s), cancel.token());
  ASSERT_TRUE(tagged) << tagged.error().message;
  EXPECT_EQ(tagged->front().outcome, Outcome::kNotReached);
}

}  // namespace
}  // namespace benchtop
