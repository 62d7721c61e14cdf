#include "server/test_runs/parsers/junit_parser.h"

#include <pugixml.hpp>
#include <string>

namespace benchtop::test_runs {
namespace {

constexpr size_t kMessageLimit = 2000;

std::string clip(std::string text) {
  if (text.size() > kMessageLimit) text = text.substr(0, kMessageLimit) + "…";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

TestFailure make_failure(const pugi::xml_node& testcase, const pugi::xml_node& problem,
                         FailureKind kind) {
  TestFailure failure;
  const std::string classname = testcase.attribute("classname").as_string();
  const std::string name = testcase.attribute("name").as_string();
  failure.name = classname.empty() || classname == name ? name : classname + "::" + name;
  failure.kind = kind;
  std::string message = problem ? problem.attribute("message").as_string() : "";
  const std::string body = problem ? problem.text().as_string() : "";
  if (message.empty()) message = testcase.attribute("failure").as_string();
  if (message.empty()) message = body.substr(0, body.find("\n\n"));
  failure.message = clip(message);
  std::string declared_file = testcase.attribute("file").as_string();
  std::string file;
  int line = 0;
  const std::string output = testcase.child("system-out").text().as_string();
  if (find_location(body + "\n" + message, declared_file, file, line) ||
      find_location(output, declared_file, file, line)) {
    failure.file = file;
    failure.line = line;
  } else if (!declared_file.empty()) {
    failure.file = declared_file;
    if (auto attr = testcase.attribute("line")) failure.line = attr.as_int() + 1;
  }
  return failure;
}

void count_cases(const pugi::xml_node& node, TestCounts& counts) {
  for (pugi::xml_node child : node.children()) {
    const std::string_view tag = child.name();
    if (tag == "testsuite" || tag == "testsuites") {
      count_cases(child, counts);
      continue;
    }
    if (tag != "testcase") continue;
    counts.parsed = true;
    if (auto failure = child.child("failure")) {
      ++counts.failed;
      counts.failures.push_back(make_failure(child, failure, FailureKind::kFailure));
    } else if (auto error = child.child("error")) {
      ++counts.errors;
      counts.failures.push_back(make_failure(child, error, FailureKind::kError));
    } else if (child.attribute("failure")) {
      ++counts.failed;
      counts.failures.push_back(make_failure(child, pugi::xml_node(), FailureKind::kFailure));
    } else if (child.child("skipped") ||
               std::string_view(child.attribute("status").as_string()) == "notrun" ||
               std::string_view(child.attribute("status").as_string()) == "disabled") {
      ++counts.skipped;
    } else {
      ++counts.passed;
    }
  }
}

}  // namespace

Result<TestCounts> parse_junit(std::string_view xml) {
  pugi::xml_document document;
  const pugi::xml_parse_result parsed = document.load_buffer(xml.data(), xml.size());
  if (!parsed) {
    return Error::make(std::string("The JUnit report is not valid XML: ") + parsed.description(),
                       "invalid_report");
  }
  TestCounts counts;
  count_cases(document, counts);
  return counts;
}

}  // namespace benchtop::test_runs
