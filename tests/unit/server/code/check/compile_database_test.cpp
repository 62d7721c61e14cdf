// compile_commands.json as code_check reads it: include directories and macros made relative to
// the workspace, and nothing kept that could load or run a program.
#include "server/code/check/compile_database.h"

#include <gtest/gtest.h>

namespace benchtop::code_check {
namespace {

// CMake's form (`command`), as this project's own build writes it, for a workspace at /home/u/p.
TEST(CompileDatabase, CMakeCommands) {
  const auto database = CompileDatabase::parse(
      R"json([{"directory": "/home/u/p/build",
           "command": "/usr/bin/c++ -DBOOST_PROCESS_USE_STD_FS -I/home/u/p -I../include -isystem /usr/include/x -O2 -g -std=c++20 -o CMakeFiles/a.o -c /home/u/p/src/a.cpp",
           "file": "/home/u/p/src/a.cpp",
           "output": "CMakeFiles/a.o"}])json",
      "/home/u/p");
  ASSERT_EQ(database.size(), 1u);
  auto flags = database.flags_for("src/a.cpp");
  ASSERT_TRUE(flags.has_value());
  EXPECT_EQ(*flags,
            (std::vector<std::string>{"'-DBOOST_PROCESS_USE_STD_FS'", "'-I.'", "'-I./include'",
                                      "'-isystem/usr/include/x'", "'-std=c++20'"}));
  EXPECT_FALSE(database.flags_for("src/b.cpp").has_value());
}

// The `arguments` form, written inside the sandbox (/workspace), with a relative file.
TEST(CompileDatabase, ArgumentsAndSandboxPaths) {
  const auto database = CompileDatabase::parse(
      R"json([{"directory": "/workspace", "file": "lib/b.c",
           "arguments": ["cc", "-D", "NAME=\"x y\"", "-I", "lib/inc", "-U", "DEBUG", "-c", "lib/b.c"]}])json",
      "/home/u/p");
  auto flags = database.flags_for("lib/b.c");
  ASSERT_TRUE(flags.has_value());
  EXPECT_EQ(*flags, (std::vector<std::string>{"'-DNAME=\"x y\"'", "'-I./lib/inc'", "'-UDEBUG'"}));
}

TEST(CompileDatabase, FlagsThatLoadOrRunSomethingAreDropped) {
  const auto database = CompileDatabase::parse(
      R"json([{"directory": "/workspace", "file": "a.cpp",
           "arguments": ["g++", "-fplugin=./evil.so", "-B", "./bin", "-wrapper", "./run,x",
                         "-specs=./s", "@./more-flags", "-I-fplugin=./evil.so",
                         "-D$(touch x)", "a.cpp"]}])json",
      "/home/u/p");
  auto flags = database.flags_for("a.cpp");
  ASSERT_TRUE(flags.has_value());
  // The include directory named like an option stays a directory (of the workspace), and the
  // macro is one quoted word: the shell expands nothing in it.
  EXPECT_EQ(*flags, (std::vector<std::string>{"'-I./-fplugin=./evil.so'", "'-D$(touch x)'"}));
}

TEST(CompileDatabase, FilesOutsideTheWorkspaceAndBadInputAreLeftOut) {
  EXPECT_EQ(CompileDatabase::parse(
                R"json([{"directory": "/elsewhere", "file": "a.cpp", "command": "c++ a.cpp"},
                    {"directory": "/home/u/pp", "file": "a.cpp", "command": "c++ a.cpp"},
                    {"directory": "/home/u/p", "file": "../q/a.cpp", "command": "c++ a.cpp"},
                    "not an object", {"file": 7}])json",
                "/home/u/p")
                .size(),
            0u);
  EXPECT_EQ(CompileDatabase::parse("[{\"directory\": ", "/home/u/p").size(), 0u);
  EXPECT_EQ(CompileDatabase::parse("{}", "/home/u/p").size(), 0u);
}

}  // namespace
}  // namespace benchtop::code_check
