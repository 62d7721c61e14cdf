// The compiled form of a JSON Schema, shared by the compiler (json_schema_compile.cpp) and the
// validator (json_schema.cpp). Internal to those two files.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/mcp/schema/json_schema.h"
#include "server/mcp/schema/schema_regex.h"

namespace benchtop {

// Bits for the "type" keyword. "integer" is its own bit so that {"type": "integer"} can accept
// 3.0 while {"type": "number"} accepts both.
enum SchemaType : unsigned {
  kTypeNull = 1u << 0,
  kTypeBoolean = 1u << 1,
  kTypeObject = 1u << 2,
  kTypeArray = 1u << 3,
  kTypeNumber = 1u << 4,
  kTypeInteger = 1u << 5,
  kTypeString = 1u << 6,
};

struct JsonSchema::Node {
  using Ptr = std::unique_ptr<Node>;

  bool reject_all = false;  // the boolean schema `false`
  std::string location;     // JSON Pointer of this schema inside the root document

  unsigned types = 0;                   // 0: any type
  std::vector<std::string> type_names;  // as written, for messages

  std::optional<nlohmann::json> const_value;
  std::optional<std::vector<nlohmann::json>> enum_values;

  // Numbers (kept as JSON numbers so integer bounds compare exactly).
  std::optional<nlohmann::json> minimum, maximum, exclusive_minimum, exclusive_maximum;
  std::optional<nlohmann::json> multiple_of;

  // Strings; lengths in Unicode code points.
  std::optional<size_t> min_length, max_length;
  std::optional<SchemaRegex> pattern;

  // Arrays.
  std::vector<Ptr> prefix_items;
  Ptr items;  // applies to every item after prefix_items
  Ptr contains;
  std::optional<size_t> min_contains, max_contains;
  std::optional<size_t> min_items, max_items;
  bool unique_items = false;

  // Objects.
  std::map<std::string, Ptr> properties;
  std::vector<std::pair<SchemaRegex, Ptr>> pattern_properties;
  Ptr additional_properties;
  std::vector<std::string> required;
  std::optional<size_t> min_properties, max_properties;
  Ptr property_names;
  std::map<std::string, std::vector<std::string>> dependent_required;
  std::map<std::string, Ptr> dependent_schemas;

  // Applicators on the same instance.
  const Node* ref = nullptr;  // owned by the root's ref_targets
  std::vector<Ptr> all_of, any_of, one_of;
  Ptr not_schema, if_schema, then_schema, else_schema;

  // Root only: the schemas that "$ref" and "$defs" point at, owned here because references may
  // form cycles that a tree of unique_ptrs cannot express.
  std::vector<Ptr> ref_targets;
};

// Helpers shared by the compiler and the validator.
inline std::string escape_pointer_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

// How a JSON Pointer is shown in messages: the empty pointer reads better as "(root)".
inline std::string describe_pointer(const std::string& pointer) {
  return pointer.empty() ? "(root)" : pointer;
}

inline const char* json_type_name(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return "boolean";
    case nlohmann::json::value_t::object:
      return "object";
    case nlohmann::json::value_t::array:
      return "array";
    case nlohmann::json::value_t::string:
      return "string";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return "number";
    default:
      return "unknown";
  }
}

}  // namespace benchtop
