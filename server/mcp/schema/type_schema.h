// The JSON Schema of a C++ type and the JSON of a value of it, both from one description.
//
// A tool's result is a struct described with BOOST_DESCRIBE_STRUCT; schema_of<Result>() is its
// outputSchema and to_structured(result) its structuredContent, so the two cannot drift apart (a
// hand-written schema beside hand-built JSON did, more than once). The schema describes rather
// than constrains (no bounds): every byte of it is context a model pays for. What maps to what:
//
//   bool -> boolean; integers -> integer; floating point -> number;
//   std::string -> string; an enum described with BOOST_DESCRIBE_ENUM and given a
//   `to_string(E)` -> string with the enum of its to_string names; std::vector<T> -> array;
//   std::map<std::string, T> -> object of T; nlohmann::json -> any value;
//   a described struct -> object, additionalProperties false, every member required except
//   std::optional ones (left out when empty); Nullable<T> -> required, null when empty.
//
// A struct documents its members for the model with
//   static constexpr FieldDoc kFieldDocs[] = {{"member", "What it says."}, ...};
// and may describe itself with `static constexpr std::string_view kDescription`.
#pragma once

#include <boost/describe/bases.hpp>
#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace benchtop {

struct FieldDoc {
  std::string_view field;
  std::string_view description;
};

// A member that is always present and null when it has no value (an exit code while running).
template <class T>
struct Nullable {
  Nullable() = default;
  // Implicit, so that `result.exit_code = info.exit_code` reads as the assignment it is.
  Nullable(T present) : value(std::move(present)) {}
  Nullable(std::optional<T> maybe) : value(std::move(maybe)) {}
  std::optional<T> value;
};

namespace type_schema_detail {

template <class T>
struct VectorOf : std::false_type {};
template <class T>
struct VectorOf<std::vector<T>> : std::true_type {
  using Item = T;
};

template <class T>
struct OptionalOf : std::false_type {};
template <class T>
struct OptionalOf<std::optional<T>> : std::true_type {
  using Item = T;
};

template <class T>
struct NullableOf : std::false_type {};
template <class T>
struct NullableOf<Nullable<T>> : std::true_type {
  using Item = T;
};

template <class T>
struct StringMapOf : std::false_type {};
template <class T>
struct StringMapOf<std::map<std::string, T>> : std::true_type {
  using Item = T;
};

template <class T>
concept DescribedStruct = boost::describe::has_describe_members<T>::value;
template <class T>
concept DescribedEnum = boost::describe::has_describe_enumerators<T>::value;

// A result may extend another (a process read is a process plus its output): inherited members
// are members like any other.
template <class T>
using PublicMembers = boost::describe::describe_members<T, boost::describe::mod_public |
                                                               boost::describe::mod_inherited>;

// The member's documentation, from T's kFieldDocs or, for an inherited member, its base's.
template <class T>
std::string_view field_doc(std::string_view member) {
  if constexpr (requires { T::kFieldDocs; }) {
    for (const FieldDoc& doc : T::kFieldDocs) {
      if (doc.field == member) return doc.description;
    }
  }
  std::string_view found;
  if constexpr (boost::describe::has_describe_bases<T>::value) {
    boost::mp11::mp_for_each<boost::describe::describe_bases<T, boost::describe::mod_public>>(
        [&](auto base) {
          if (found.empty()) found = field_doc<typename decltype(base)::type>(member);
        });
  }
  return found;
}

// A FieldDoc naming no member is a typo that would silently drop a description: refuse it where
// the schema is built, at start-up.
template <class T>
void check_field_docs() {
  if constexpr (requires { T::kFieldDocs; }) {
    for (const FieldDoc& doc : T::kFieldDocs) {
      bool found = false;
      boost::mp11::mp_for_each<PublicMembers<T>>(
          [&](auto member) { found = found || doc.field == member.name; });
      if (!found) {
        throw std::logic_error("FieldDoc names no member: " + std::string(doc.field));
      }
    }
  }
}

}  // namespace type_schema_detail

template <class T>
nlohmann::json schema_of() {
  namespace detail = type_schema_detail;
  if constexpr (std::is_same_v<T, bool>) {
    return {{"type", "boolean"}};
  } else if constexpr (std::is_integral_v<T>) {
    return {{"type", "integer"}};
  } else if constexpr (std::is_floating_point_v<T>) {
    return {{"type", "number"}};
  } else if constexpr (std::is_same_v<T, std::string>) {
    return {{"type", "string"}};
  } else if constexpr (std::is_same_v<T, nlohmann::json>) {
    return nlohmann::json::object();
  } else if constexpr (detail::DescribedEnum<T>) {
    nlohmann::json names = nlohmann::json::array();
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>(
        [&](auto enumerator) { names.push_back(std::string(to_string(enumerator.value))); });
    return {{"type", "string"}, {"enum", std::move(names)}};
  } else if constexpr (detail::VectorOf<T>::value) {
    return {{"type", "array"}, {"items", schema_of<typename detail::VectorOf<T>::Item>()}};
  } else if constexpr (detail::StringMapOf<T>::value) {
    return {{"type", "object"},
            {"additionalProperties", schema_of<typename detail::StringMapOf<T>::Item>()}};
  } else if constexpr (detail::NullableOf<T>::value) {
    nlohmann::json schema = schema_of<typename detail::NullableOf<T>::Item>();
    schema["type"] = {schema.at("type"), "null"};
    return schema;
  } else if constexpr (detail::DescribedStruct<T>) {
    detail::check_field_docs<T>();
    nlohmann::json properties = nlohmann::json::object();
    nlohmann::json required = nlohmann::json::array();
    boost::mp11::mp_for_each<detail::PublicMembers<T>>([&](auto member) {
      using Member = std::remove_cvref_t<decltype(std::declval<T&>().*member.pointer)>;
      nlohmann::json property;
      if constexpr (detail::OptionalOf<Member>::value) {
        property = schema_of<typename detail::OptionalOf<Member>::Item>();
      } else {
        property = schema_of<Member>();
        required.push_back(member.name);
      }
      const std::string_view doc = detail::field_doc<T>(member.name);
      if (!doc.empty()) property["description"] = doc;
      properties[member.name] = std::move(property);
    });
    nlohmann::json schema = {
        {"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
    if (!required.empty()) schema["required"] = std::move(required);
    if constexpr (requires { T::kDescription; }) schema["description"] = T::kDescription;
    return schema;
  } else {
    static_assert(sizeof(T) == 0, "schema_of: no JSON Schema mapping for this type");
  }
}

template <class T>
nlohmann::json to_structured(const T& value) {
  namespace detail = type_schema_detail;
  if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, std::string> ||
                std::is_same_v<T, nlohmann::json>) {
    return value;
  } else if constexpr (detail::DescribedEnum<T>) {
    return std::string(to_string(value));
  } else if constexpr (detail::VectorOf<T>::value) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& item : value) items.push_back(to_structured(item));
    return items;
  } else if constexpr (detail::StringMapOf<T>::value) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& [key, item] : value) object[key] = to_structured(item);
    return object;
  } else if constexpr (detail::NullableOf<T>::value) {
    return value.value.has_value() ? to_structured(*value.value) : nlohmann::json(nullptr);
  } else if constexpr (detail::DescribedStruct<T>) {
    nlohmann::json object = nlohmann::json::object();
    boost::mp11::mp_for_each<detail::PublicMembers<T>>([&](auto member) {
      const auto& field = value.*member.pointer;
      using Member = std::remove_cvref_t<decltype(field)>;
      if constexpr (detail::OptionalOf<Member>::value) {
        if (field.has_value()) object[member.name] = to_structured(*field);
      } else {
        object[member.name] = to_structured(field);
      }
    });
    return object;
  } else {
    static_assert(sizeof(T) == 0, "to_structured: no JSON mapping for this type");
  }
}

}  // namespace benchtop
