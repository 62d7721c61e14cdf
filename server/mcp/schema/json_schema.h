// JSON Schema validation for tool arguments and results. Only the keywords listed in
// json_schema.cpp are supported, and compile() refuses a schema that uses any other keyword: a
// validator that silently ignores a keyword would advertise a constraint it does not enforce.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "common/result.h"

namespace benchtop {

class JsonSchema {
 public:
  // Checks the schema itself (known keywords, well-formed values, compilable patterns).
  static Result<JsonSchema> compile(const nlohmann::json& schema);

  // std::nullopt when `instance` is valid; otherwise one message naming the failing location as a
  // JSON Pointer, e.g. "/edits/0/old_text: expected string, got number".
  std::optional<std::string> validate(const nlohmann::json& instance) const;

  JsonSchema(JsonSchema&&) noexcept;
  JsonSchema& operator=(JsonSchema&&) noexcept;
  ~JsonSchema();

  struct Node;  // compiled form, defined in json_schema.cpp

 private:
  explicit JsonSchema(std::unique_ptr<Node> root);
  std::unique_ptr<Node> root_;
};

}  // namespace benchtop
