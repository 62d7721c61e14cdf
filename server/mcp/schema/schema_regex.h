// A JSON Schema "pattern": a regular expression compiled once with PCRE2 and searched (not
// anchored) against UTF-8 strings. Options bring PCRE2 close to the ECMA-262 dialect the
// specification names: UTF mode, "$" only at the very end, and JavaScript's \u escapes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace benchtop {

class SchemaRegex {
 public:
  // Fails with PCRE2's own description and the offset of the problem in `pattern`.
  static Result<SchemaRegex> compile(std::string_view pattern);

  // True when the pattern matches somewhere in `subject`; an error when matching gives up
  // (a pathological pattern hitting the backtracking limit) rather than an answer.
  Result<bool> search(std::string_view subject) const;

  const std::string& source() const { return source_; }

  SchemaRegex(SchemaRegex&&) noexcept;
  SchemaRegex& operator=(SchemaRegex&&) noexcept;
  ~SchemaRegex();

 private:
  struct Code;
  SchemaRegex(std::string source, std::unique_ptr<Code> code);

  std::string source_;
  std::unique_ptr<Code> code_;
};

}  // namespace benchtop
