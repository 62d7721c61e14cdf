#include "tools/code/code_tools.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/fs_test_support.h"
#include "tests/support/search_test_support.h"
#include "tests/support/tool_list_support.h"

namespace benchtop {
namespace {

using namespace std::chrono_literals;

constexpr const char* kCpp = R"(#include <string>

namespace geo {

struct Point {
  int x = 0;
  int y = 0;
};

class Shape {
 public:
  virtual ~Shape() = default;
  virtual double area() const = 0;
};

class Rect : public Shape {
 public:
  Rect(double w, double h) : w_(w), h_(h) {}
  double area() const override {
    return w_ * h_;
  }

 private:
  double w_, h_;
};

double total(const Shape& a, const Shape& b);

}  // namespace geo

double geo::total(const Shape& a, const Shape& b) {
  return a.area() + b.area();
}

int main() {
  geo::Rect r(1, 2);
  return static_cast<int>(geo::total(r, r));
}
)";

constexpr const char* kPython = R"(import os

class Greeter:
    """Says hello."""
    def __init__(self, name):
        self.name = name

    def greet(self, loud=False):
        msg = "hi " + self.name
        return msg

def top(a, b):
    def inner(x):
        return x
    return inner(a) + b
)";

constexpr const char* kTypeScript = R"(export interface Shape {
  area(): number;
}

export class Circle implements Shape {
  constructor(private r: number) {}
  area(): number {
    return Math.PI * this.r * this.r;
  }
}

export function makeCircle(r: number): Circle {
  return new Circle(r);
}

const helper = (x: number) => x * 2;
)";

constexpr const char* kJavaScript = R"(class Counter {
  constructor() {
    this.n = 0;
  }
  inc(by) {
    this.n += by;
  }
}

function reset(c) {
  c.n = 0;
}
)";

constexpr const char* kGo = R"(package main

type Point struct {
	X, Y int
}

func (p Point) Norm() int {
	return p.X*p.X + p.Y*p.Y
}

func main() {
	p := Point{1, 2}
	_ = p.Norm()
}
)";

class CodeToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.write("src/geo.cpp", kCpp);
    tree_.write("app/greeter.py", kPython);
    tree_.write("web/shapes.ts", kTypeScript);
    tree_.write("web/counter.js", kJavaScript);
    tree_.write("cmd/point.go", kGo);
    provider_ = std::make_unique<testing::SingleWorkspaceProvider>(tree_.root());
    register_code_tools(registry_, *provider_, ctags_, options_);
  }

  ToolResult call(const std::string& name, const nlohmann::json& args) {
    return call_on(registry_, name, args);
  }
  static ToolResult call_on(ToolRegistry& registry, const std::string& name,
                            const nlohmann::json& args) {
    ToolContext context;
    auto result = registry.call(name, args, context);
    EXPECT_TRUE(result.has_value());
    return result.value_or(ToolResult::error("no such tool"));
  }
  static std::string text_of(const ToolResult& result) {
    return result.content.at(0).at("text").get<std::string>();
  }
  // The outline text of `path`, failing the test on an error.
  std::string outline(const std::string& path) {
    auto result = call("code_outline", {{"path", path}});
    EXPECT_FALSE(result.is_error) << text_of(result);
    return text_of(result);
  }
  static std::vector<std::string> found(const ToolResult& result) {
    std::vector<std::string> places;
    for (const auto& match : result.structured->at("matches")) {
      places.push_back(match.at("path").get<std::string>() + ":" +
                       std::to_string(match.at("line").get<int>()) + " " +
                       match.at("kind").get<std::string>());
    }
    return places;
  }

  testing::TempTree tree_;
  testing::TempTree outside_;
  ConfinedHelper helper_;
  Ctags ctags_{helper_};
  CodeToolOptions options_{.max_file_bytes = 64 * 1024};
  std::unique_ptr<testing::SingleWorkspaceProvider> provider_;
  ToolRegistry registry_;
  std::vector<std::string> progress_;
};

TEST_F(CodeToolsTest, ToolsAreReadOnlyClosedWorldWithSchemas) {
  auto list = registry_.list();
  ASSERT_EQ(list.size(), 2u);
  for (const auto& tool : list) {
    testing::expect_read_only_listing(tool);
    EXPECT_EQ(tool["annotations"].value("openWorldHint", true), false);
    EXPECT_LT(tool["description"].get<std::string>().size(), 300u);
  }
}

TEST_F(CodeToolsTest, OutlinesCppWithRangesAndNesting) {
  EXPECT_EQ(outline("src/geo.cpp"),
            "namespace geo  L3-29\n"
            "  struct Point  L5-8\n"
            "    member x  L6\n"
            "    member y  L7\n"
            "  class Shape  L10-14\n"
            "    prototype ~Shape()  L12\n"
            "    prototype area() const  L13\n"
            "  class Rect  L16-25\n"
            "    function Rect(double w,double h)  L18\n"
            "    function area() const  L19-21\n"
            "    member w_  L24\n"
            "    member h_  L24\n"
            "  prototype total(const Shape & a,const Shape & b)  L27\n"
            "function total(const Shape & a,const Shape & b)  L31-33  in geo\n"
            "function main()  L35-38\n");
}

TEST_F(CodeToolsTest, OutlinesPython) {
  EXPECT_EQ(outline("app/greeter.py"),
            "class Greeter  L3-10\n"
            "  member __init__(self, name)  L5-6\n"
            "  member greet(self, loud=False)  L8-10\n"
            "function top(a, b)  L12-15\n"
            "  function inner(x)  L13-14\n");
}

TEST_F(CodeToolsTest, OutlinesTypeScriptWithEndLinesFromItsBraces) {
  EXPECT_EQ(outline("web/shapes.ts"),
            "interface Shape  L1-3\n"
            "  method area  L2\n"
            "class Circle  L5-10\n"
            "  method constructor  L6\n"
            "  property r  L6\n"
            "  method area  L7-9\n"
            "function makeCircle  L12-14\n"
            "constant helper  L16\n");
}

TEST_F(CodeToolsTest, OutlinesJavaScript) {
  EXPECT_EQ(outline("web/counter.js"),
            "class Counter  L1-8\n"
            "  method constructor()  L2-4\n"
            "  method inc(by)  L5-7\n"
            "function reset(c)  L10-12\n");
}

TEST_F(CodeToolsTest, OutlinesGo) {
  EXPECT_EQ(outline("cmd/point.go"),
            "package main  L1\n"
            "struct Point  L3-5\n"
            "  member X  L4\n"
            "  member Y  L4\n"
            "func Norm()  L7-9  in main.Point\n"
            "func main()  L11-14\n");
}

TEST_F(CodeToolsTest, OutlineIsStructuredToo) {
  auto result = call("code_outline", {{"path", "web/counter.js"}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  const auto& out = *result.structured;
  EXPECT_EQ(out["path"], "web/counter.js");
  EXPECT_EQ(out["language"], "JavaScript");
  EXPECT_EQ(out["total"], 4);
  EXPECT_EQ(out["truncated"], false);
  const auto& inc = out["symbols"][2];
  EXPECT_EQ(inc["name"], "inc");
  EXPECT_EQ(inc["kind"], "method");
  EXPECT_EQ(inc["line"], 5);
  EXPECT_EQ(inc["end_line"], 7);
  EXPECT_EQ(inc["scope"], "Counter");
  EXPECT_EQ(inc["signature"], "(by)");
}

TEST_F(CodeToolsTest, OutlineIsCappedWithANote) {
  auto result = call("code_outline", {{"path", "src/geo.cpp"}, {"max_symbols", 3}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(result.structured->at("symbols").size(), 3u);
  EXPECT_EQ(result.structured->at("total"), 15);
  EXPECT_EQ(result.structured->at("truncated"), true);
  EXPECT_NE(text_of(result).find("first 3 of 15"), std::string::npos) << text_of(result);
}

TEST_F(CodeToolsTest, OutlineRefusesWhatItCannotRead) {
  tree_.write("notes.zzz", "not a language ctags knows\n");
  tree_.write("image.py", std::string("def f():\0\0\0 pass\n", 17));
  tree_.write("big.py", "x = 1\n" + std::string(70 * 1024, '#'));
  tree_.mkdir("empty_dir");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"notes.zzz", "no parser"},       {"image.py", "binary"},
      {"big.py", "larger than 64 KiB"}, {"empty_dir", "is a directory"},
      {"missing.py", "No such file"},   {"../outside.py", "escapes the workspace"}};
  for (const auto& [path, message] : cases) {
    auto result = call("code_outline", {{"path", path}});
    EXPECT_TRUE(result.is_error) << path;
    EXPECT_NE(text_of(result).find(message), std::string::npos) << path << ": " << text_of(result);
  }
}

TEST_F(CodeToolsTest, SymlinksOutOfTheWorkspaceAreNeitherOutlinedNorSearched) {
  outside_.write("secret/leak.py", "def total_secret():\n    pass\n");
  tree_.symlink(outside_.root() / "secret", "src/escape");
  tree_.symlink(outside_.root() / "secret" / "leak.py", "src/leak.py");
  for (const std::string path : {"src/leak.py", "src/escape/leak.py"}) {
    auto result = call("code_outline", {{"path", path}});
    EXPECT_TRUE(result.is_error) << path;
    EXPECT_NE(text_of(result).find("escapes the workspace"), std::string::npos) << text_of(result);
  }
  auto result = call("code_find", {{"name", "total_secret"}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_TRUE(result.structured->at("matches").empty()) << text_of(result);
}

TEST_F(CodeToolsTest, FindsDefinitionsAcrossTheWorkspace) {
  tree_.write("app/totals.py",
              "def total(items):\n    return sum(items)\n\ndef totals():\n"
              "    pass\n");
  tree_.write("web/sum.ts", "export function total(xs: number[]): number {\n  return 0;\n}\n");
  tree_.write("README.md", "Call total() to add things up.\n");
  tree_.write(".gitignore", "vendor/\n");
  tree_.write("vendor/lib.py", "def total():\n    pass\n");
  auto result = call("code_find", {{"name", "total"}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(found(result),
            (std::vector<std::string>{"app/totals.py:1 function", "src/geo.cpp:27 prototype",
                                      "src/geo.cpp:31 function", "web/sum.ts:1 function"}));
  EXPECT_NE(text_of(result).find("app/totals.py:1-2  function total(items)\n"), std::string::npos)
      << text_of(result);
  EXPECT_NE(text_of(result).find("src/geo.cpp:31-33  function total(const Shape & a,const Shape "
                                 "& b)  in geo\n"),
            std::string::npos)
      << text_of(result);
  const auto& ts = result.structured->at("matches")[3];
  EXPECT_EQ(ts["end_line"], 3);

  auto functions = call("code_find", {{"name", "total"}, {"kind", "function"}, {"path", "src"}});
  EXPECT_EQ(found(functions), (std::vector<std::string>{"src/geo.cpp:31 function"}));
  auto in_file = call("code_find", {{"name", "total"}, {"path", "web/sum.ts"}});
  EXPECT_EQ(found(in_file), (std::vector<std::string>{"web/sum.ts:1 function"}));

  auto prefixed = call("code_find", {{"name", "tot"}, {"prefix", true}, {"path", "app"}});
  EXPECT_EQ(found(prefixed),
            (std::vector<std::string>{"app/totals.py:1 function", "app/totals.py:4 function"}));
}

TEST_F(CodeToolsTest, FindIsCappedAndSaysSo) {
  std::string many;
  for (int i = 0; i < 5; ++i) many += "def dup():\n    pass\n";
  tree_.write("many.py", many);
  auto result = call("code_find", {{"name", "dup"}, {"max_results", 3}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(result.structured->at("matches").size(), 3u);
  EXPECT_EQ(result.structured->at("truncated"), true);
  EXPECT_NE(text_of(result).find("Stopped at 3 definitions"), std::string::npos);
}

TEST_F(CodeToolsTest, FindSkipsBinaryAndOversizedFilesAndSaysSo) {
  tree_.write("blob.py", std::string("def lost():\0\0 pass\n", 19));
  tree_.write("huge.py", "def lost():\n    pass\n" + std::string(70 * 1024, '#'));
  auto result = call("code_find", {{"name", "lost"}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_TRUE(result.structured->at("matches").empty());
  const std::string note = result.structured->at("note");
  EXPECT_NE(note.find("1 files over 64 KiB skipped"), std::string::npos) << note;
  EXPECT_NE(note.find("1 binary files skipped"), std::string::npos) << note;
  EXPECT_NE(note.find("No definition of 'lost'"), std::string::npos) << note;
}

TEST_F(CodeToolsTest, FindReportsProgress) {
  ToolContext context(
      CancellationToken(),
      [this](double, std::optional<double>, const std::string& message) {
        progress_.push_back(message);
      },
      nlohmann::json::object(), "2025-06-18");
  auto result = registry_.call("code_find", {{"name", "main"}}, context);
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(result->is_error);
  ASSERT_FALSE(progress_.empty());
  EXPECT_NE(progress_.front().find("Searching 5 files"), std::string::npos) << progress_.front();
}

TEST_F(CodeToolsTest, ACancelledFindSaysSo) {
  CancellationSource cancel;
  cancel.cancel();
  ToolContext context(cancel.token(), {}, nlohmann::json::object(), "2025-06-18");
  auto result = registry_.call("code_find", {{"name", "main"}}, context);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->is_error);
  EXPECT_NE(text_of(*result).find("cancelled"), std::string::npos);
}

TEST_F(CodeToolsTest, AFileThatKeepsCtagsBusyIsCutAtTheDeadline) {
  // 100,000 classes of one name: ctags' Python parser needs seconds for these 4 MB.
  std::string slow;
  for (int i = 0; i < 100'000; ++i) slow += "class A:\n    def f(self):\n        pass\n";
  tree_.write("slow.py", slow);
  ToolRegistry registry;
  register_code_tools(registry, *provider_, ctags_, {.outline_budget = 300ms});
  const auto started = std::chrono::steady_clock::now();
  auto result = call_on(registry, "code_outline", {{"path", "slow.py"}});
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(result.is_error);
  EXPECT_NE(text_of(result).find("did not finish 'slow.py' within 300 ms"), std::string::npos)
      << text_of(result);
  EXPECT_LT(took, 3s);
}

TEST_F(CodeToolsTest, TheTimeBudgetCutsOutlineAndFind) {
  // A budget already spent when the work starts: a warm ctags can answer within a millisecond, so
  // only an empty budget is sure to run out (the slow-input test above covers a running ctags).
  ToolRegistry registry;
  register_code_tools(registry, *provider_, ctags_,
                      {.outline_budget = 0ms, .find_budget = 0ms, .max_file_bytes = 64 * 1024});
  auto outlined = call_on(registry, "code_outline", {{"path", "src/geo.cpp"}});
  EXPECT_TRUE(outlined.is_error);
  EXPECT_NE(text_of(outlined).find("did not finish"), std::string::npos) << text_of(outlined);
  auto searched = call_on(registry, "code_find", {{"name", "total"}});
  ASSERT_FALSE(searched.is_error) << text_of(searched);
  EXPECT_EQ(searched.structured->at("truncated"), true);
  EXPECT_NE(text_of(searched).find("time budget ran out"), std::string::npos) << text_of(searched);
}

TEST_F(CodeToolsTest, AMissingCtagsIsAClearErrorNamingThePackage) {
  Ctags missing(helper_, {.program = "/nonexistent/bin/ctags"});
  ToolRegistry registry;
  register_code_tools(registry, *provider_, missing);
  for (const auto& [tool, args] : std::vector<std::pair<std::string, nlohmann::json>>{
           {"code_outline", {{"path", "src/geo.cpp"}}}, {"code_find", {{"name", "total"}}}}) {
    auto result = call_on(registry, tool, args);
    EXPECT_TRUE(result.is_error) << tool;
    EXPECT_NE(text_of(result).find("universal-ctags"), std::string::npos) << text_of(result);
  }
}

}  // namespace
}  // namespace benchtop
