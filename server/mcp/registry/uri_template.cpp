#include "server/mcp/registry/uri_template.h"

namespace benchtop {

namespace {
constexpr size_t kMatchStepBudget = 100'000;
}  // namespace

Result<UriTemplate> UriTemplate::parse(const std::string& text) {
  UriTemplate result;
  result.text_ = text;
  size_t position = 0;
  while (position < text.size()) {
    const size_t open = text.find('{', position);
    if (open == std::string::npos) {
      result.parts_.push_back({false, false, text.substr(position)});
      break;
    }
    if (open > position)
      result.parts_.push_back({false, false, text.substr(position, open - position)});
    const size_t close = text.find('}', open);
    if (close == std::string::npos) {
      return Error::make("URI template '" + text + "' has an unterminated '{'", "invalid_template");
    }
    std::string name = text.substr(open + 1, close - open - 1);
    bool reserved = false;
    if (!name.empty() && name.front() == '+') {
      reserved = true;
      name.erase(0, 1);
    }
    if (name.empty() || name.find_first_of("#./;?&=,!@|{") != std::string::npos) {
      return Error::make("URI template '" + text + "' has an unsupported expression '{" +
                             text.substr(open + 1, close - open - 1) + "}'",
                         "invalid_template");
    }
    result.parts_.push_back({true, reserved, std::move(name)});
    position = close + 1;
  }
  return result;
}

std::vector<std::string> UriTemplate::variables() const {
  std::vector<std::string> names;
  for (const auto& part : parts_) {
    if (part.is_variable) names.push_back(part.text);
  }
  return names;
}

std::optional<std::map<std::string, std::string>> UriTemplate::match(const std::string& uri) const {
  std::map<std::string, std::string> values;
  // Backtracking over several `{+x}` variables is exponential in their number: a template with
  // many of them and a long URI could keep a worker busy for minutes (found by fuzz_uri_template).
  // The server's templates have one or two variables and match in a few thousand steps; past the
  // budget the URI is treated as not matching.
  size_t steps = kMatchStepBudget;
  if (!match_from(uri, 0, 0, values, steps)) return std::nullopt;
  return values;
}

// Backtracking over the (few) variables: each takes the shortest run that lets the rest match,
// trying longer runs on failure, so "a/{x}/b/{+y}" matches as a reader would expect.
bool UriTemplate::match_from(const std::string& uri, size_t position, size_t part,
                             std::map<std::string, std::string>& values, size_t& steps) const {
  if (steps == 0) return false;
  --steps;
  if (part == parts_.size()) return position == uri.size();
  const Part& current = parts_[part];
  if (!current.is_variable) {
    if (uri.compare(position, current.text.size(), current.text) != 0) return false;
    return match_from(uri, position + current.text.size(), part + 1, values, steps);
  }
  // A variable named again must take the value it took before (RFC 6570 expands every occurrence
  // of a name to the same value): it matches like literal text. Only this part's own binding is
  // undone on backtracking, never an earlier one.
  if (const auto bound = values.find(current.text); bound != values.end()) {
    const std::string& value = bound->second;
    if (uri.compare(position, value.size(), value) != 0) return false;
    return match_from(uri, position + value.size(), part + 1, values, steps);
  }
  for (size_t end = position + 1; end <= uri.size(); ++end) {
    const char last = uri[end - 1];
    if (!current.reserved && (last == '/' || last == '?' || last == '#')) break;
    values[current.text] = uri.substr(position, end - position);
    if (match_from(uri, end, part + 1, values, steps)) return true;
    if (steps == 0) break;
  }
  values.erase(current.text);
  return false;
}

}  // namespace benchtop
