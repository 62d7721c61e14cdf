// RFC 6570 URI templates, the subset MCP resource templates use: literal text with `{name}`
// (one path segment, no '/') and `{+name}` (reserved expansion: may span '/') expressions.
// Matching a URI yields the variable values; the expansion operators beyond '+' are refused.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace benchtop {

class UriTemplate {
 public:
  // Fails on an unterminated or empty expression, or an operator other than '+'.
  static Result<UriTemplate> parse(const std::string& text);

  const std::string& text() const { return text_; }
  std::vector<std::string> variables() const;

  // The variables of `uri` when it matches the whole template, std::nullopt otherwise.
  std::optional<std::map<std::string, std::string>> match(const std::string& uri) const;

 private:
  struct Part {
    bool is_variable = false;
    bool reserved = false;  // `{+name}`: may contain '/'
    std::string text;       // literal text, or the variable name
  };
  std::string text_;
  std::vector<Part> parts_;

  // `steps` is what is left of the match's work budget (see match()).
  bool match_from(const std::string& uri, size_t position, size_t part,
                  std::map<std::string, std::string>& values, size_t& steps) const;
};

}  // namespace benchtop
