// JsonSchema::validate: walks the compiled Node tree over an instance and reports the first
// failure as one sentence a language model can act on: where (a JSON Pointer), what was expected,
// and what it got. Compilation lives in json_schema_compile.cpp.
#include "server/mcp/schema/json_schema.h"

#include <algorithm>
#include <cctype>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <unordered_map>

#include "server/mcp/schema/json_schema_node.h"

namespace benchtop {

namespace {

using json = nlohmann::json;
using Node = JsonSchema::Node;

// Evaluation frames: one per schema applied, whether on the same value (allOf, $ref, ...) or on a
// nested one. Bounds the stack on deeply nested instances under recursive schemas.
constexpr size_t kMaxDepth = 256;
// Schema applications per validate() call. Real arguments and results need far fewer; this stops
// an instance from driving nested anyOf/oneOf alternatives into exponential work.
constexpr size_t kMaxSteps = 2'000'000;
// How much of a value a message quotes.
constexpr size_t kMaxRenderedBytes = 80;
// How many alternatives an anyOf/oneOf message spells out.
constexpr size_t kMaxListedAlternatives = 4;

enum class FailureKind {
  kType,   // the value has the wrong JSON type
  kValue,  // the value is not one of the allowed constants (enum, const)
  kOther,
};

struct Failure {
  std::string where;  // JSON Pointer into the instance
  std::string what;
  FailureKind kind = FailureKind::kOther;
  std::vector<std::string> expected_types;  // kType
  std::vector<json> allowed_values;         // kValue
  std::string got;                          // kType: the type name; kValue: the rendered value

  std::string text() const { return describe_pointer(where) + ": " + what; }
  size_t depth() const { return static_cast<size_t>(std::count(where.begin(), where.end(), '/')); }
};

using Outcome = std::optional<Failure>;

// ---- Rendering -------------------------------------------------------------------------------

std::string render(const json& value) {
  constexpr auto kDump = [](const json& v) {
    return v.dump(-1, ' ', false, json::error_handler_t::replace);
  };
  // Long strings are cut before quoting, so a megabyte of file content is not copied to say so.
  std::string text =
      value.is_string() && value.get_ref<const std::string&>().size() > 2 * kMaxRenderedBytes
          ? kDump(json(value.get_ref<const std::string&>().substr(0, 2 * kMaxRenderedBytes)))
          : kDump(value);
  if (text.size() <= kMaxRenderedBytes) return text;
  size_t cut = kMaxRenderedBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8
  return text.substr(0, cut) + "...";
}

std::string join(const std::vector<std::string>& items, const std::string& separator,
                 const std::string& last_separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? last_separator : separator;
    out += items[i];
  }
  return out;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  for (const auto& name : names) quoted.push_back(json(name).dump());
  return join(quoted, ", ", ", ");
}

// A long enum is cut short: the first values show the form, the schema has the rest.
std::string rendered_list(const std::vector<json>& values) {
  constexpr size_t kMaxListed = 20;
  std::vector<std::string> rendered;
  for (size_t i = 0; i < values.size() && i < kMaxListed; ++i)
    rendered.push_back(render(values[i]));
  std::string out = join(rendered, ", ", ", ");
  if (values.size() > kMaxListed) {
    out += ", ... (" + std::to_string(values.size() - kMaxListed) + " more)";
  }
  return out;
}

std::string plural(size_t n, const char* singular, const char* plural_form) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural_form);
}

size_t code_points(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

// Edit distance, for "did you mean" on misspelt property names.
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> closest_name(const std::string& unknown,
                                        const std::vector<std::string>& allowed) {
  if (unknown.size() > 64) return std::nullopt;
  const size_t limit = unknown.size() < 5 ? 1 : std::max<size_t>(2, unknown.size() / 4);
  std::optional<std::string> best;
  size_t best_distance = limit + 1;
  for (const auto& name : allowed) {
    const size_t d = edit_distance(unknown, name);
    if (d < best_distance) {
      best_distance = d;
      best = name;
    }
  }
  return best;
}

// ---- Numbers ---------------------------------------------------------------------------------

bool is_integral(const json& value) {
  if (value.is_number_integer()) return true;
  if (!value.is_number_float()) return false;
  const double d = value.get<double>();
  return std::isfinite(d) && std::trunc(d) == d;
}

// Three-way comparison of two JSON numbers, exact when both are integers.
int compare_numbers(const json& a, const json& b) {
  if (a.is_number_float() || b.is_number_float()) {
    const double x = a.get<double>(), y = b.get<double>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  const bool a_unsigned = a.is_number_unsigned(), b_unsigned = b.is_number_unsigned();
  if (a_unsigned && b_unsigned) {
    const uint64_t x = a.get<uint64_t>(), y = b.get<uint64_t>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (!a_unsigned && !b_unsigned) {
    const int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  // One unsigned (parsed non-negative) and one signed.
  if (a_unsigned) {
    const int64_t y = b.get<int64_t>();
    if (y < 0) return 1;
    const uint64_t x = a.get<uint64_t>(), uy = static_cast<uint64_t>(y);
    return x < uy ? -1 : (x > uy ? 1 : 0);
  }
  return -compare_numbers(b, a);
}

uint64_t magnitude(const json& integer) {
  if (integer.is_number_unsigned()) return integer.get<uint64_t>();
  const int64_t v = integer.get<int64_t>();
  return v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
}

bool is_multiple_of(const json& value, const json& divisor) {
  if (value.is_number_integer() && divisor.is_number_integer()) {
    return magnitude(value) % magnitude(divisor) == 0;
  }
  const double q = value.get<double>() / divisor.get<double>();
  if (!std::isfinite(q)) return false;
  // Decimal divisors such as 0.1 are not exact in binary; allow for the rounding of one division.
  const double tolerance = std::max(1e-9, std::abs(q) * 4 * DBL_EPSILON);
  return std::abs(q - std::round(q)) <= tolerance;
}

// A cheap hash consistent with JSON equality (1 and 1.0 hash alike); collisions are settled by
// operator==, so it only needs to spread typical values.
size_t shallow_hash(const json& value) {
  switch (value.type()) {
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return std::hash<double>{}(value.get<double>());
    case json::value_t::string:
      return std::hash<std::string>{}(value.get_ref<const std::string&>());
    case json::value_t::boolean:
      return value.get<bool>() ? 1 : 2;
    case json::value_t::null:
      return 3;
    case json::value_t::array:
      return 5 + value.size() * 31;
    case json::value_t::object: {
      size_t h = 7 + value.size() * 31;
      for (const auto& item : value.items()) h = h * 131 + std::hash<std::string>{}(item.key());
      return h;
    }
    default:
      return 0;
  }
}

// ---- Types -----------------------------------------------------------------------------------

bool type_matches(unsigned types, const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return types & kTypeNull;
    case json::value_t::boolean:
      return types & kTypeBoolean;
    case json::value_t::object:
      return types & kTypeObject;
    case json::value_t::array:
      return types & kTypeArray;
    case json::value_t::string:
      return types & kTypeString;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return (types & kTypeNumber) || ((types & kTypeInteger) && is_integral(value));
    default:
      return false;
  }
}

// Models often quote numbers and booleans, or pass a JSON document as a string.
std::string type_hint(unsigned types, const json& value) {
  if (!value.is_string()) return {};
  const auto& text = value.get_ref<const std::string&>();
  const json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || parsed.is_string() || !type_matches(types, parsed)) return {};
  if (parsed.is_object() || parsed.is_array()) {
    return " (it looks like JSON text inside a string: pass the " +
           std::string(json_type_name(parsed)) + " itself, not a string)";
  }
  return " (pass " + render(parsed) + " without quotes)";
}

// ---- The walk --------------------------------------------------------------------------------

class Validator {
 public:
  Outcome check(const Node& node, const json& value, size_t depth) {
    if (depth > kMaxDepth) {
      if (!too_deep_) {
        too_deep_ = failure("value nested too deeply to validate (more than " +
                            std::to_string(kMaxDepth) + " levels)");
      }
      return too_deep_;
    }
    if (++steps_ > kMaxSteps) return fail("validation stopped");  // see validate()
    if (node.reject_all) return fail("no value is allowed here");
    if (node.types != 0 && !type_matches(node.types, value)) return type_failure(node, value);
    if (node.const_value && *node.const_value != value) {
      Failure f = failure("must be " + render(*node.const_value) + "; got " + render(value));
      f.kind = FailureKind::kValue;
      f.allowed_values = {*node.const_value};
      f.got = render(value);
      return f;
    }
    if (node.enum_values && std::find(node.enum_values->begin(), node.enum_values->end(), value) ==
                                node.enum_values->end()) {
      Failure f =
          failure("must be one of " + rendered_list(*node.enum_values) + "; got " + render(value));
      f.kind = FailureKind::kValue;
      f.allowed_values = *node.enum_values;
      f.got = render(value);
      return f;
    }
    Outcome outcome;
    if (value.is_number()) {
      outcome = check_number(node, value);
    } else if (value.is_string()) {
      outcome = check_string(node, value.get_ref<const std::string&>());
    } else if (value.is_array()) {
      outcome = check_array(node, value, depth);
    } else if (value.is_object()) {
      outcome = check_object(node, value, depth);
    }
    if (outcome) return outcome;
    return check_applicators(node, value, depth);
  }

  bool out_of_steps() const { return steps_ > kMaxSteps; }
  // The first place the depth limit was hit, if it was.
  const Outcome& too_deep() const { return too_deep_; }

 private:
  // Appends one token to the current location for the lifetime of the scope.
  class Descend {
   public:
    Descend(Validator& v, std::string_view token) : v_(v), saved_(v.path_.size()) {
      v_.path_ += '/';
      v_.path_ += escape_pointer_token(token);
    }
    ~Descend() { v_.path_.resize(saved_); }
    Descend(const Descend&) = delete;
    Descend& operator=(const Descend&) = delete;

   private:
    Validator& v_;
    size_t saved_;
  };

  Failure failure(std::string what) const {
    Failure f;
    f.where = path_;
    f.what = std::move(what);
    return f;
  }
  Outcome fail(std::string what) const { return failure(std::move(what)); }

  Outcome type_failure(const Node& node, const json& value) const {
    std::string got = json_type_name(value);
    if ((node.types & kTypeInteger) && value.is_number()) got += " " + render(value);
    Failure f = failure("expected " + join(node.type_names, ", ", " or ") + ", got " + got +
                        type_hint(node.types, value));
    f.kind = FailureKind::kType;
    f.expected_types = node.type_names;
    f.got = json_type_name(value);
    return f;
  }

  Outcome check_number(const Node& node, const json& value) const {
    if (node.minimum && compare_numbers(value, *node.minimum) < 0) {
      return fail("must be >= " + render(*node.minimum) + ", got " + render(value));
    }
    if (node.maximum && compare_numbers(value, *node.maximum) > 0) {
      return fail("must be <= " + render(*node.maximum) + ", got " + render(value));
    }
    if (node.exclusive_minimum && compare_numbers(value, *node.exclusive_minimum) <= 0) {
      return fail("must be > " + render(*node.exclusive_minimum) + ", got " + render(value));
    }
    if (node.exclusive_maximum && compare_numbers(value, *node.exclusive_maximum) >= 0) {
      return fail("must be < " + render(*node.exclusive_maximum) + ", got " + render(value));
    }
    if (node.multiple_of && !is_multiple_of(value, *node.multiple_of)) {
      return fail("must be a multiple of " + render(*node.multiple_of) + ", got " + render(value));
    }
    return std::nullopt;
  }

  Outcome check_string(const Node& node, const std::string& text) const {
    if (node.min_length || node.max_length) {
      const size_t length = code_points(text);
      if (node.min_length && length < *node.min_length) {
        return fail("must be at least " + plural(*node.min_length, "character", "characters") +
                    " long, got " + std::to_string(length));
      }
      if (node.max_length && length > *node.max_length) {
        return fail("must be at most " + plural(*node.max_length, "character", "characters") +
                    " long, got " + std::to_string(length));
      }
    }
    if (node.pattern) {
      auto matched = node.pattern->search(text);
      if (!matched) {
        return fail("could not be checked against pattern " + json(node.pattern->source()).dump() +
                    ": " + matched.error().message);
      }
      if (!*matched) {
        return fail("must match pattern " + json(node.pattern->source()).dump() + ", got " +
                    render(json(text)));
      }
    }
    return std::nullopt;
  }

  Outcome check_array(const Node& node, const json& array, size_t depth) {
    const size_t size = array.size();
    if (node.min_items && size < *node.min_items) {
      return fail("must have at least " + plural(*node.min_items, "item", "items") + ", got " +
                  std::to_string(size));
    }
    if (node.max_items && size > *node.max_items) {
      return fail("must have at most " + plural(*node.max_items, "item", "items") + ", got " +
                  std::to_string(size));
    }
    const size_t positional = std::min(size, node.prefix_items.size());
    for (size_t i = 0; i < positional; ++i) {
      Descend step(*this, std::to_string(i));
      if (auto f = check(*node.prefix_items[i], array[i], depth + 1)) return f;
    }
    if (node.items && size > node.prefix_items.size()) {
      if (node.items->reject_all) {
        return fail(node.prefix_items.empty()
                        ? "must be an empty array, got " + plural(size, "item", "items")
                        : "must have at most " + plural(node.prefix_items.size(), "item", "items") +
                              ", got " + std::to_string(size));
      }
      for (size_t i = node.prefix_items.size(); i < size; ++i) {
        Descend step(*this, std::to_string(i));
        if (auto f = check(*node.items, array[i], depth + 1)) return f;
      }
    }
    if (node.contains) {
      size_t matches = 0;
      Outcome first_miss;
      for (size_t i = 0; i < size; ++i) {
        Descend step(*this, std::to_string(i));
        auto f = check(*node.contains, array[i], depth + 1);
        if (!f) {
          ++matches;
        } else if (!first_miss) {
          first_miss = std::move(f);
        }
      }
      const size_t at_least = node.min_contains.value_or(1);
      if (matches < at_least) {
        std::string what = "must contain at least " + plural(at_least, "item", "items") +
                           " matching the \"contains\" schema, found " + std::to_string(matches);
        if (first_miss) what += " (first mismatch: " + first_miss->text() + ")";
        return fail(what);
      }
      if (node.max_contains && matches > *node.max_contains) {
        return fail("must contain at most " + plural(*node.max_contains, "item", "items") +
                    " matching the \"contains\" schema, found " + std::to_string(matches));
      }
    }
    if (node.unique_items && size > 1) {
      std::unordered_multimap<size_t, size_t> seen;
      for (size_t i = 0; i < size; ++i) {
        const size_t h = shallow_hash(array[i]);
        auto [begin, end] = seen.equal_range(h);
        for (auto it = begin; it != end; ++it) {
          if (array[it->second] == array[i]) {
            return fail("items must be unique, but items " + std::to_string(it->second) + " and " +
                        std::to_string(i) + " are both " + render(array[i]));
          }
        }
        seen.emplace(h, i);
      }
    }
    return std::nullopt;
  }

  Outcome check_object(const Node& node, const json& object, size_t depth) {
    if (node.additional_properties && node.additional_properties->reject_all) {
      if (auto f = unknown_properties(node, object)) return f;
    }
    for (const auto& [name, value] : object.items()) {
      bool matched = false;
      if (auto it = node.properties.find(name); it != node.properties.end()) {
        matched = true;
        if (auto f = check_property(*it->second, name, value, depth)) return f;
      }
      for (const auto& [regex, schema] : node.pattern_properties) {
        auto hit = regex.search(name);
        if (!hit) {
          return fail("property name " + json(name).dump() + " could not be checked against " +
                      json(regex.source()).dump() + ": " + hit.error().message);
        }
        if (!*hit) continue;
        matched = true;
        if (auto f = check_property(*schema, name, value, depth)) return f;
      }
      if (!matched && node.additional_properties) {
        if (auto f = check_property(*node.additional_properties, name, value, depth)) return f;
      }
    }
    // After the values, so that in a oneOf of object shapes a differing discriminator (a const
    // property) identifies the wrong alternatives before a missing property would.
    std::vector<std::string> missing;
    for (const auto& name : node.required) {
      if (!object.contains(name)) missing.push_back(name);
    }
    if (!missing.empty()) {
      return fail(std::string("missing required ") +
                  (missing.size() == 1 ? "property " : "properties ") + quoted_list(missing));
    }
    const size_t size = object.size();
    if (node.min_properties && size < *node.min_properties) {
      return fail("must have at least " + plural(*node.min_properties, "property", "properties") +
                  ", got " + std::to_string(size));
    }
    if (node.max_properties && size > *node.max_properties) {
      return fail("must have at most " + plural(*node.max_properties, "property", "properties") +
                  ", got " + std::to_string(size));
    }
    if (node.property_names) {
      for (const auto& item : object.items()) {
        if (auto f = check(*node.property_names, json(item.key()), depth + 1)) {
          return fail("property name " + json(item.key()).dump() + " is invalid: " + f->what);
        }
      }
    }
    for (const auto& [name, needs] : node.dependent_required) {
      if (!object.contains(name)) continue;
      for (const auto& need : needs) {
        if (!object.contains(need)) {
          return fail("property " + json(name).dump() + " requires property " + json(need).dump() +
                      " as well");
        }
      }
    }
    for (const auto& [name, schema] : node.dependent_schemas) {
      if (!object.contains(name)) continue;
      if (auto f = check(*schema, object, depth + 1)) return f;
    }
    return std::nullopt;
  }

  Outcome check_property(const Node& schema, const std::string& name, const json& value,
                         size_t depth) {
    if (schema.reject_all) return fail("property " + json(name).dump() + " is not allowed");
    Descend step(*this, name);
    return check(schema, value, depth + 1);
  }

  // With additionalProperties: false, names every property the schema does not know in one go,
  // with the list of allowed ones: the most common mistake in a tool call is a misspelt name.
  Outcome unknown_properties(const Node& node, const json& object) const {
    std::vector<std::string> unknown;
    for (const auto& item : object.items()) {
      const std::string& name = item.key();
      if (node.properties.count(name)) continue;
      bool by_pattern = false;
      for (const auto& [regex, schema] : node.pattern_properties) {
        auto hit = regex.search(name);
        if (hit && *hit) {
          by_pattern = true;
          break;
        }
      }
      if (!by_pattern) unknown.push_back(name);
    }
    if (unknown.empty()) return std::nullopt;

    std::vector<std::string> allowed;
    for (const auto& [name, schema] : node.properties) {
      if (!schema->reject_all) allowed.push_back(name);
    }
    std::string what = std::string("unknown ") +
                       (unknown.size() == 1 ? "property " : "properties ") + quoted_list(unknown);
    std::string allowed_text = join(allowed, ", ", ", ");
    for (const auto& [regex, schema] : node.pattern_properties) {
      if (!allowed_text.empty()) allowed_text += ", ";
      allowed_text += "names matching " + json(regex.source()).dump();
    }
    what +=
        allowed_text.empty() ? " (no properties are allowed)" : " (allowed: " + allowed_text + ")";
    if (unknown.size() == 1) {
      if (auto guess = closest_name(unknown[0], allowed))
        what += "; did you mean \"" + *guess + "\"?";
    }
    return fail(what);
  }

  Outcome check_applicators(const Node& node, const json& value, size_t depth) {
    if (node.ref) {
      if (auto f = check(*node.ref, value, depth + 1)) return f;
    }
    for (const auto& schema : node.all_of) {
      if (auto f = check(*schema, value, depth + 1)) return f;
    }
    if (!node.any_of.empty()) {
      std::vector<Failure> misses;
      for (const auto& schema : node.any_of) {
        auto f = check(*schema, value, depth + 1);
        if (!f) {
          misses.clear();
          break;
        }
        misses.push_back(std::move(*f));
      }
      if (misses.size() == node.any_of.size()) return summarize(misses, "anyOf");
    }
    if (!node.one_of.empty()) {
      std::vector<Failure> misses;
      std::vector<std::string> matched;
      for (size_t i = 0; i < node.one_of.size(); ++i) {
        if (auto f = check(*node.one_of[i], value, depth + 1)) {
          misses.push_back(std::move(*f));
        } else {
          matched.push_back("oneOf[" + std::to_string(i) + "]");
        }
      }
      if (matched.empty()) return summarize(misses, "oneOf");
      if (matched.size() > 1) {
        return fail("matches " + join(matched, ", ", " and ") +
                    ", but must match exactly one of the oneOf alternatives");
      }
    }
    if (node.not_schema && !check(*node.not_schema, value, depth + 1)) {
      return fail("must not match the schema at \"#" + node.not_schema->location +
                  "\", but it does; got " + render(value));
    }
    if (node.if_schema) {
      const bool condition = !check(*node.if_schema, value, depth + 1);
      const Node* branch = condition ? node.then_schema.get() : node.else_schema.get();
      if (branch) {
        if (auto f = check(*branch, value, depth + 1)) return f;
      }
    }
    return std::nullopt;
  }

  // One message for a value that matched none of the alternatives. When they all failed at the
  // same place on the type or on a constant, say what would have been accepted there; otherwise
  // report the alternative(s) the caller most plausibly meant: those that got past the type and
  // constant checks and failed deepest inside the value.
  Failure summarize(std::vector<Failure>& misses, const char* keyword) const {
    auto all_at_one_place = [&](FailureKind kind) {
      return std::all_of(misses.begin(), misses.end(), [&](const Failure& f) {
        return f.kind == kind && f.where == misses.front().where;
      });
    };
    if (all_at_one_place(FailureKind::kType)) {
      Failure merged = std::move(misses.front());
      for (auto f = misses.begin() + 1; f != misses.end(); ++f) {
        for (const auto& t : f->expected_types) {
          if (std::find(merged.expected_types.begin(), merged.expected_types.end(), t) ==
              merged.expected_types.end()) {
            merged.expected_types.push_back(t);
          }
        }
      }
      merged.what = "expected " + join(merged.expected_types, ", ", " or ") + ", got " + merged.got;
      return merged;
    }
    if (all_at_one_place(FailureKind::kValue)) {
      Failure merged = std::move(misses.front());
      for (auto f = misses.begin() + 1; f != misses.end(); ++f) {
        for (const auto& v : f->allowed_values) {
          if (std::find(merged.allowed_values.begin(), merged.allowed_values.end(), v) ==
              merged.allowed_values.end()) {
            merged.allowed_values.push_back(v);
          }
        }
      }
      merged.what =
          "must be one of " + rendered_list(merged.allowed_values) + "; got " + merged.got;
      return merged;
    }

    auto at_here = [&](const Failure& f, FailureKind kind) {
      return f.kind == kind && f.where == path_;
    };
    auto rank = [&](const Failure& f) {
      if (at_here(f, FailureKind::kType)) return 0;
      if (f.kind == FailureKind::kValue) return 1;  // e.g. a "kind" discriminator that differs
      return 2;
    };
    int best_rank = 0;
    size_t best_depth = 0;
    for (const auto& f : misses) {
      const int r = rank(f);
      if (r > best_rank || (r == best_rank && f.depth() > best_depth)) {
        best_rank = r;
        best_depth = f.depth();
      }
    }
    std::vector<std::string> listed;
    Failure* only = nullptr;
    for (size_t i = 0; i < misses.size(); ++i) {
      Failure& f = misses[i];
      if (rank(f) != best_rank || f.depth() != best_depth) continue;
      only = listed.empty() ? &f : nullptr;
      if (listed.size() < kMaxListedAlternatives) {
        listed.push_back(std::string(keyword) + "[" + std::to_string(i) + "]: " + f.text());
      }
    }
    if (listed.size() == 1 && only) return std::move(*only);
    return failure(std::string("does not match any of the ") + keyword + " alternatives; " +
                   join(listed, "; ", "; "));
  }

  std::string path_;
  size_t steps_ = 0;
  Outcome too_deep_;
};

}  // namespace

JsonSchema::JsonSchema(std::unique_ptr<Node> root) : root_(std::move(root)) {}
JsonSchema::JsonSchema(JsonSchema&&) noexcept = default;
JsonSchema& JsonSchema::operator=(JsonSchema&&) noexcept = default;
JsonSchema::~JsonSchema() = default;

std::optional<std::string> JsonSchema::validate(const nlohmann::json& instance) const {
  Validator validator;
  auto failure = validator.check(*root_, instance, 0);
  // Once a limit is hit, checks fail without looking at the value, and the anyOf/oneOf summaries
  // could otherwise present one of those cut-short branches as the caller's mistake.
  if (validator.out_of_steps()) {
    return "(root): value too large or schema too complex to validate (more than " +
           std::to_string(kMaxSteps) + " checks)";
  }
  if (validator.too_deep()) return validator.too_deep()->text();
  if (failure) return failure->text();
  return std::nullopt;
}

}  // namespace benchtop
