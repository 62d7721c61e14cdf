#include "server/test_runs/parsers/test_report.h"

#include <cctype>
#include <charconv>
#include <vector>

#include "server/test_runs/parsers/output_regex.h"

namespace benchtop::test_runs {

std::string_view to_string(FailureKind kind) {
  return kind == FailureKind::kError ? "error" : "failure";
}

std::string_view to_string(CountSource source) {
  switch (source) {
    case CountSource::kJunit:
      return "junit";
    case CountSource::kGoJson:
      return "go-json";
    case CountSource::kSummary:
      return "summary";
    case CountSource::kUnknown:
      break;
  }
  return "";
}

nlohmann::json to_json(const TestFailure& failure) {
  nlohmann::json out = {{"name", failure.name},
                        {"message", failure.message},
                        {"file", failure.file},
                        {"kind", to_string(failure.kind)}};
  if (failure.line) out["line"] = *failure.line;
  return out;
}

TestFailure failure_from_json(const nlohmann::json& json) {
  TestFailure failure;
  failure.name = json.value("name", "");
  failure.message = json.value("message", "");
  failure.file = json.value("file", "");
  failure.kind =
      json.value("kind", std::string()) == "error" ? FailureKind::kError : FailureKind::kFailure;
  if (json.contains("line") && json["line"].is_number_integer()) failure.line = json["line"];
  return failure;
}

nlohmann::json to_json(const TestReport& report) {
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& failure : report.counts.failures) failures.push_back(to_json(failure));
  nlohmann::json out = {{"runner", report.runner},           {"command", report.command},
                        {"passed", report.counts.passed},    {"failed", report.counts.failed},
                        {"skipped", report.counts.skipped},  {"errors", report.counts.errors},
                        {"duration_ms", report.duration_ms}, {"failures", std::move(failures)},
                        {"output_tail", report.output_tail}, {"timed_out", report.timed_out}};
  if (report.exit_code) out["exit_code"] = *report.exit_code;
  if (!report.detection.empty()) out["detection"] = report.detection;
  if (report.source != CountSource::kUnknown) out["source"] = to_string(report.source);
  if (report.id) out["id"] = report.id;
  if (!report.started_at.empty()) out["started_at"] = report.started_at;
  return out;
}

namespace {

bool path_character(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '/' ||
         c == '-';
}

struct SourceMention {
  std::string file;
  std::string line;
};

// The "path/file.ext:LINE" mentions in `text`, in order. Each is found by its ".ext:LINE" tail
// and its path then taken leftwards, so the cost stays linear: a pattern with the path's
// character run in front backtracks quadratically over a long run of such characters.
std::vector<SourceMention> source_mentions(const std::string& text) {
  static const OutputRegex kTail(
      R"(\.(?:py|js|mjs|cjs|ts|tsx|jsx|go|rs|c|cc|cpp|cxx|h|hpp|sh|java|rb):(\d+))");
  std::vector<SourceMention> mentions;
  size_t previous_end = 0;
  for (const auto& tail : kTail.search_all(text)) {
    const size_t tail_begin = tail.end - tail[0].size();
    size_t begin = tail_begin;
    while (begin > previous_end && path_character(text[begin - 1])) --begin;
    if (begin == tail_begin) continue;  // nothing names a file before the extension
    const std::string& whole = tail[0];
    mentions.push_back(
        {text.substr(begin, tail_begin - begin) + whole.substr(0, whole.find(':')), tail[1]});
    previous_end = tail.end;
  }
  return mentions;
}

}  // namespace

bool find_location(const std::string& text, const std::string& preferred_file, std::string& file,
                   int& line) {
  bool found_any = false;
  bool found_preferred = false;
  for (const auto& mention : source_mentions(text)) {
    const std::string& candidate = mention.file;
    if (candidate.find("node_modules") != std::string::npos ||
        candidate.find("internal/") != std::string::npos) {
      continue;  // runtime frames, not the project's code
    }
    const bool preferred = !preferred_file.empty() && (candidate == preferred_file ||
                                                       candidate.ends_with("/" + preferred_file) ||
                                                       preferred_file.ends_with("/" + candidate));
    if (found_preferred && !preferred) continue;
    // The digits come from a project's output: a "line number" too large for an int is no
    // location (std::stoi threw on it; found by fuzz_test_output).
    int number = 0;
    const char* digits_end = mention.line.data() + mention.line.size();
    const auto [end, error] = std::from_chars(mention.line.data(), digits_end, number);
    if (error != std::errc() || end != digits_end) continue;
    file = candidate;
    line = number;
    found_any = true;
    found_preferred = found_preferred || preferred;
  }
  return found_any;
}

}  // namespace benchtop::test_runs
