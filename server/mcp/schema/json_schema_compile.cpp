// JsonSchema::compile: checks a schema document and turns it into the Node tree the validator
// walks. Every keyword is either enforced or a known annotation; anything else is refused, since a
// keyword the validator skips would advertise a constraint that is never checked.
#include <algorithm>
#include <iterator>
#include <set>
#include <string_view>
#include <unordered_map>

#include "server/mcp/schema/json_schema.h"
#include "server/mcp/schema/json_schema_node.h"

namespace benchtop {

namespace {

using json = nlohmann::json;
using Node = JsonSchema::Node;

// Real tool schemas are a handful of levels deep; this only stops pathological documents from
// exhausting the stack.
constexpr size_t kMaxSchemaDepth = 128;

// Keywords that describe rather than constrain. "format" is an annotation by default in 2020-12.
// "$anchor" only names a schema for "#name" references, which compile() refuses on their own, so
// accepting the declaration cannot make a reference silently unenforced.
bool is_annotation(std::string_view key) {
  constexpr std::string_view kAnnotations[] = {
      "$schema",         "$id",           "$comment",  "title",
      "description",     "default",       "examples",  "format",
      "deprecated",      "readOnly",      "writeOnly", "contentMediaType",
      "contentEncoding", "contentSchema", "$anchor",
  };
  return std::find(std::begin(kAnnotations), std::end(kAnnotations), key) !=
             std::end(kAnnotations) ||
         key.starts_with("x-");
}

// What to tell a schema author who used a keyword from another draft or dialect.
std::string unknown_keyword_hint(std::string_view key) {
  if (key == "nullable") return "; write \"type\": [\"<type>\", \"null\"] instead";
  if (key == "additionalItems") return "; in 2020-12 use \"prefixItems\" plus \"items\"";
  if (key == "dependencies") return "; use \"dependentRequired\" or \"dependentSchemas\"";
  if (key == "unevaluatedProperties") return "; use \"additionalProperties\"";
  if (key == "unevaluatedItems") return "; use \"items\"";
  if (key == "$dynamicRef" || key == "$dynamicAnchor" || key == "$recursiveRef" ||
      key == "$recursiveAnchor") {
    return "; only \"$ref\" to \"#/$defs/...\" is supported";
  }
  return "; remove it, or name a custom annotation \"x-" + std::string(key) + "\"";
}

std::string child_location(const std::string& location, std::string_view token) {
  return location + "/" + escape_pointer_token(token);
}

Error schema_error(const std::string& location, const std::string& message) {
  return Error::make(describe_pointer(location) + ": " + message, "invalid_schema");
}

std::optional<unsigned> type_bit(const std::string& name) {
  if (name == "null") return kTypeNull;
  if (name == "boolean") return kTypeBoolean;
  if (name == "object") return kTypeObject;
  if (name == "array") return kTypeArray;
  if (name == "number") return kTypeNumber;
  if (name == "integer") return kTypeInteger;
  if (name == "string") return kTypeString;
  return std::nullopt;
}

// "%2F" and friends may appear in a URI fragment; JSON Pointer escapes (~0, ~1) stay as they are.
std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// Schemas applied to the same instance as their parent. A cycle made only of these edges would
// make validation recurse forever without ever consuming the instance.
template <typename F>
void for_each_in_place(const Node& node, F&& f) {
  if (node.ref) f(node.ref);
  for (const auto& child : node.all_of) f(child.get());
  for (const auto& child : node.any_of) f(child.get());
  for (const auto& child : node.one_of) f(child.get());
  for (const auto* child :
       {&node.not_schema, &node.if_schema, &node.then_schema, &node.else_schema}) {
    if (*child) f(child->get());
  }
  for (const auto& [name, child] : node.dependent_schemas) f(child.get());
}

// Schemas applied to a part of the instance (a property, an item, a property name).
template <typename F>
void for_each_descending(const Node& node, F&& f) {
  for (const auto& child : node.prefix_items) f(child.get());
  for (const auto* child :
       {&node.items, &node.contains, &node.additional_properties, &node.property_names}) {
    if (*child) f(child->get());
  }
  for (const auto& [name, child] : node.properties) f(child.get());
  for (const auto& [regex, child] : node.pattern_properties) f(child.get());
}

class Compiler {
 public:
  Compiler(const json& document, Node& root) : document_(document), root_(root) {}

  Status run() {
    targets_[""] = &root_;
    if (auto status = compile(document_, root_, "", 0); !status) return status;
    // Referenced and $defs schemas are compiled here rather than where they are referenced, so a
    // chain of references never deepens the recursion.
    while (!pending_.empty()) {
      auto [pointer, node] = pending_.back();
      pending_.pop_back();
      const json& schema = document_.at(json::json_pointer(pointer));
      const size_t depth = static_cast<size_t>(std::count(pointer.begin(), pointer.end(), '/'));
      if (auto status = compile(schema, *node, pointer, depth); !status) return status;
    }
    return check_cycles();
  }

 private:
  Status compile(const json& schema, Node& node, const std::string& location, size_t depth) {
    if (depth > kMaxSchemaDepth) {
      return schema_error(
          location, "schema nested more than " + std::to_string(kMaxSchemaDepth) + " levels deep");
    }
    node.location = location;
    if (schema.is_boolean()) {
      node.reject_all = !schema.get<bool>();
      return {};
    }
    if (!schema.is_object()) {
      return schema_error(location, std::string("a schema must be an object or a boolean, got ") +
                                        json_type_name(schema));
    }
    for (const auto& [key, value] : schema.items()) {
      if (is_annotation(key)) continue;
      if (auto status = keyword(key, value, node, location, depth); !status) return status;
    }
    if (node.min_contains && !node.contains) {
      return schema_error(location, "\"minContains\" has no effect without \"contains\"");
    }
    if (node.max_contains && !node.contains) {
      return schema_error(location, "\"maxContains\" has no effect without \"contains\"");
    }
    if ((node.then_schema || node.else_schema) && !node.if_schema) {
      return schema_error(location, "\"then\"/\"else\" have no effect without \"if\"");
    }
    return {};
  }

  Status keyword(const std::string& key, const json& value, Node& node, const std::string& location,
                 size_t depth) {
    const std::string here = child_location(location, key);
    auto subschema = [&](Node::Ptr& out) -> Status {
      auto child = std::make_unique<Node>();
      if (auto status = compile(value, *child, here, depth + 1); !status) return status;
      out = std::move(child);
      return {};
    };
    auto count = [&](std::optional<size_t>& out) -> Status {
      auto n = non_negative_integer(value, here);
      if (!n) return n.take_error();
      out = *n;
      return {};
    };
    auto number = [&](std::optional<json>& out) -> Status {
      if (!value.is_number()) {
        std::string message = "must be a number, got " + std::string(json_type_name(value));
        if (value.is_boolean()) {
          message += " (the draft-04 boolean form is not supported: put the limit itself in \"" +
                     key + "\")";
        }
        return schema_error(here, message);
      }
      out = value;
      return {};
    };

    if (key == "type") return type(value, node, here);
    if (key == "const") {
      node.const_value = value;
      return {};
    }
    if (key == "enum") {
      if (!value.is_array()) return schema_error(here, "must be an array of allowed values");
      node.enum_values = value.get<std::vector<json>>();
      return {};
    }
    if (key == "minimum") return number(node.minimum);
    if (key == "maximum") return number(node.maximum);
    if (key == "exclusiveMinimum") return number(node.exclusive_minimum);
    if (key == "exclusiveMaximum") return number(node.exclusive_maximum);
    if (key == "multipleOf") {
      if (!value.is_number() || !(value.get<double>() > 0)) {
        return schema_error(here, "must be a number greater than 0");
      }
      node.multiple_of = value;
      return {};
    }
    if (key == "minLength") return count(node.min_length);
    if (key == "maxLength") return count(node.max_length);
    if (key == "pattern") {
      auto regex = pattern(value, here);
      if (!regex) return regex.take_error();
      node.pattern = std::move(regex).value();
      return {};
    }
    if (key == "items") {
      if (value.is_array()) {
        return schema_error(here,
                            "the array form of \"items\" is draft-07; in 2020-12 use "
                            "\"prefixItems\" for positional schemas and \"items\" for the rest");
      }
      return subschema(node.items);
    }
    if (key == "prefixItems") return schema_list(value, node.prefix_items, here, depth);
    if (key == "contains") return subschema(node.contains);
    if (key == "minContains") return count(node.min_contains);
    if (key == "maxContains") return count(node.max_contains);
    if (key == "minItems") return count(node.min_items);
    if (key == "maxItems") return count(node.max_items);
    if (key == "uniqueItems") {
      if (!value.is_boolean()) return schema_error(here, "must be a boolean");
      node.unique_items = value.get<bool>();
      return {};
    }
    if (key == "properties") return schema_map(value, node.properties, here, depth);
    if (key == "patternProperties") {
      if (!value.is_object()) return schema_error(here, "must be an object of pattern: schema");
      for (const auto& [source, sub] : value.items()) {
        const std::string sub_location = child_location(here, source);
        auto regex = pattern(json(source), sub_location);
        if (!regex) return regex.take_error();
        auto child = std::make_unique<Node>();
        if (auto status = compile(sub, *child, sub_location, depth + 1); !status) return status;
        node.pattern_properties.emplace_back(std::move(regex).value(), std::move(child));
      }
      return {};
    }
    if (key == "additionalProperties") return subschema(node.additional_properties);
    if (key == "propertyNames") return subschema(node.property_names);
    if (key == "required") return string_set(value, node.required, here);
    if (key == "minProperties") return count(node.min_properties);
    if (key == "maxProperties") return count(node.max_properties);
    if (key == "dependentRequired") {
      if (!value.is_object()) return schema_error(here, "must be an object of name: [names]");
      for (const auto& [name, names] : value.items()) {
        auto& list = node.dependent_required[name];
        if (auto status = string_set(names, list, child_location(here, name)); !status) {
          return status;
        }
      }
      return {};
    }
    if (key == "dependentSchemas") return schema_map(value, node.dependent_schemas, here, depth);
    if (key == "allOf") return schema_list(value, node.all_of, here, depth, true);
    if (key == "anyOf") return schema_list(value, node.any_of, here, depth, true);
    if (key == "oneOf") return schema_list(value, node.one_of, here, depth, true);
    if (key == "not") return subschema(node.not_schema);
    if (key == "if") return subschema(node.if_schema);
    if (key == "then") return subschema(node.then_schema);
    if (key == "else") return subschema(node.else_schema);
    if (key == "$ref") return reference(value, node, here);
    if (key == "$defs" || key == "definitions") {
      if (!value.is_object()) return schema_error(here, "must be an object of name: schema");
      for (const auto& [name, sub] : value.items()) target(child_location(here, name));
      return {};
    }
    return schema_error(location, "unknown keyword \"" + key +
                                      "\": this validator does not enforce it" +
                                      unknown_keyword_hint(key));
  }

  Status type(const json& value, Node& node, const std::string& here) {
    std::vector<std::string> names;
    if (value.is_string()) {
      names.push_back(value.get<std::string>());
    } else if (value.is_array() && !value.empty()) {
      for (const auto& item : value) {
        if (!item.is_string()) return schema_error(here, "must contain only type names");
        names.push_back(item.get<std::string>());
      }
    } else {
      return schema_error(here, "must be a type name or a non-empty array of type names");
    }
    for (const auto& name : names) {
      auto bit = type_bit(name);
      if (!bit) {
        return schema_error(here, "unknown type \"" + name +
                                      "\" (use null, boolean, object, array, number, integer "
                                      "or string)");
      }
      if (node.types & *bit) return schema_error(here, "type \"" + name + "\" listed twice");
      node.types |= *bit;
    }
    node.type_names = std::move(names);
    return {};
  }

  Result<SchemaRegex> pattern(const json& value, const std::string& here) {
    if (!value.is_string()) return schema_error(here, "must be a regular expression string");
    auto regex = SchemaRegex::compile(value.get<std::string>());
    if (!regex) return schema_error(here, regex.error().message);
    return regex;
  }

  Result<size_t> non_negative_integer(const json& value, const std::string& here) {
    if (value.is_number_unsigned()) return static_cast<size_t>(value.get<uint64_t>());
    if (value.is_number_integer() && value.get<int64_t>() >= 0) {
      return static_cast<size_t>(value.get<int64_t>());
    }
    if (value.is_number_float()) {
      const double d = value.get<double>();
      // 2^64 and above (and NaN) have no uint64_t: converting them would be undefined. Above
      // 2^53 every double is an integer, so the range check is the whole test there.
      constexpr double kTwoTo64 = 18446744073709551616.0;
      if (d >= 0 && d < kTwoTo64 && d == static_cast<double>(static_cast<uint64_t>(d))) {
        return static_cast<size_t>(d);
      }
    }
    return schema_error(here, "must be a non-negative integer");
  }

  Status string_set(const json& value, std::vector<std::string>& out, const std::string& here) {
    if (!value.is_array()) return schema_error(here, "must be an array of property names");
    std::set<std::string> seen;
    for (const auto& item : value) {
      if (!item.is_string()) return schema_error(here, "must contain only strings");
      if (!seen.insert(item.get<std::string>()).second) {
        return schema_error(here, "lists \"" + item.get<std::string>() + "\" twice");
      }
      out.push_back(item.get<std::string>());
    }
    return {};
  }

  Status schema_list(const json& value, std::vector<Node::Ptr>& out, const std::string& here,
                     size_t depth, bool non_empty = false) {
    if (!value.is_array() || (non_empty && value.empty())) {
      return schema_error(
          here, non_empty ? "must be a non-empty array of schemas" : "must be an array of schemas");
    }
    for (size_t i = 0; i < value.size(); ++i) {
      auto child = std::make_unique<Node>();
      if (auto status = compile(value[i], *child, here + "/" + std::to_string(i), depth + 1);
          !status) {
        return status;
      }
      out.push_back(std::move(child));
    }
    return {};
  }

  Status schema_map(const json& value, std::map<std::string, Node::Ptr>& out,
                    const std::string& here, size_t depth) {
    if (!value.is_object()) return schema_error(here, "must be an object of name: schema");
    for (const auto& [name, sub] : value.items()) {
      auto child = std::make_unique<Node>();
      if (auto status = compile(sub, *child, child_location(here, name), depth + 1); !status) {
        return status;
      }
      out.emplace(name, std::move(child));
    }
    return {};
  }

  Status reference(const json& value, Node& node, const std::string& here) {
    if (!value.is_string()) return schema_error(here, "must be a string");
    const std::string ref = value.get<std::string>();
    if (ref.empty() || ref[0] != '#') {
      return schema_error(
          here,
          "only local references such as \"#/$defs/name\" are supported, got \"" + ref + "\"");
    }
    auto pointer = percent_decode(std::string_view(ref).substr(1));
    if (!pointer) return schema_error(here, "malformed percent-escape in \"" + ref + "\"");
    if (!pointer->empty() && (*pointer)[0] != '/') {
      return schema_error(
          here, "anchor references are not supported (\"" + ref + "\"); use \"#/$defs/name\"");
    }
    try {
      const json::json_pointer parsed(*pointer);
      if (!document_.contains(parsed)) {
        return schema_error(here, "\"" + ref + "\" does not point at anything in this schema");
      }
    } catch (const json::exception&) {
      return schema_error(here, "\"" + ref + "\" is not a valid JSON Pointer");
    }
    node.ref = target(*pointer);
    return {};
  }

  // The node for the schema at `pointer`, compiled once however many references point at it.
  Node* target(const std::string& pointer) {
    if (auto it = targets_.find(pointer); it != targets_.end()) return it->second;
    auto node = std::make_unique<Node>();
    Node* raw = node.get();
    root_.ref_targets.push_back(std::move(node));
    targets_.emplace(pointer, raw);
    pending_.emplace_back(pointer, raw);
    return raw;
  }

  // Refuses schemas where a chain of $ref/allOf/anyOf/oneOf/not/if... leads back to itself while
  // staying on the same instance: validating them would never terminate.
  Status check_cycles() const {
    // Every node, reached over all edges.
    std::vector<const Node*> all;
    std::unordered_map<const Node*, int> state;  // 0 unseen, 1 on the DFS path, 2 finished
    {
      std::vector<const Node*> stack{&root_};
      state[&root_] = 2;
      while (!stack.empty()) {
        const Node* node = stack.back();
        stack.pop_back();
        all.push_back(node);
        auto push = [&](const Node* child) {
          if (state.emplace(child, 2).second) stack.push_back(child);
        };
        for_each_in_place(*node, push);
        for_each_descending(*node, push);
      }
      for (const auto& owned : root_.ref_targets) {
        if (state.emplace(owned.get(), 2).second) all.push_back(owned.get());
      }
    }
    for (auto& [node, s] : state) s = 0;

    // Iterative depth-first search over in-place edges only.
    for (const Node* start : all) {
      if (state[start] != 0) continue;
      struct Frame {
        const Node* node;
        std::vector<const Node*> children;
        size_t next = 0;
      };
      auto frame_for = [](const Node* node) {
        Frame frame{node, {}, 0};
        for_each_in_place(*node, [&](const Node* child) { frame.children.push_back(child); });
        return frame;
      };
      std::vector<Frame> path{frame_for(start)};
      state[start] = 1;
      while (!path.empty()) {
        Frame& top = path.back();
        if (top.next == top.children.size()) {
          state[top.node] = 2;
          path.pop_back();
          continue;
        }
        const Node* child = top.children[top.next++];
        if (state[child] == 1) {
          return schema_error(top.node->location,
                              "reference cycle: this schema leads back to \"#" + child->location +
                                  "\" without descending into the value, so validation would "
                                  "never end");
        }
        if (state[child] == 0) {
          state[child] = 1;
          path.push_back(frame_for(child));
        }
      }
    }
    return {};
  }

  const json& document_;
  Node& root_;
  std::map<std::string, Node*> targets_;
  std::vector<std::pair<std::string, Node*>> pending_;
};

}  // namespace

Result<JsonSchema> JsonSchema::compile(const nlohmann::json& schema) {
  auto root = std::make_unique<Node>();
  try {
    Compiler compiler(schema, *root);
    if (auto status = compiler.run(); !status) return status.take_error();
  } catch (const std::exception& e) {
    // nlohmann or PCRE2 wrappers failing on input we did not anticipate: still a bad schema.
    return Error::make(std::string("invalid schema: ") + e.what(), "invalid_schema");
  }
  return JsonSchema(std::move(root));
}

}  // namespace benchtop
