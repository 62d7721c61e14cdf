#include "server/mcp/schema/json_schema.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "server/mcp/registry/tool_registry.h"

namespace benchtop {
namespace {

using json = nlohmann::json;

JsonSchema compiled(const json& schema) {
  auto result = JsonSchema::compile(schema);
  if (!result) throw std::runtime_error("schema refused: " + result.error().message);
  return std::move(result).value();
}

// The failure message, or "" when the instance is valid.
std::string problem(const json& schema, const json& instance) {
  return compiled(schema).validate(instance).value_or("");
}

bool valid(const json& schema, const json& instance) {
  return problem(schema, instance).empty();
}

// The compile error, or "" when the schema compiles.
std::string refusal(const json& schema) {
  auto result = JsonSchema::compile(schema);
  return result ? "" : result.error().message;
}

// ---- type ----------------------------------------------------------------------------------

TEST(JsonSchemaType, EachTypeAcceptsItsOwnValues) {
  EXPECT_TRUE(valid({{"type", "string"}}, "x"));
  EXPECT_TRUE(valid({{"type", "boolean"}}, true));
  EXPECT_TRUE(valid({{"type", "null"}}, nullptr));
  EXPECT_TRUE(valid({{"type", "object"}}, json::object()));
  EXPECT_TRUE(valid({{"type", "array"}}, json::array()));
  EXPECT_TRUE(valid({{"type", "number"}}, 1.5));
  EXPECT_TRUE(valid({{"type", "number"}}, 7));
  EXPECT_TRUE(valid({{"type", "integer"}}, -7));
  EXPECT_TRUE(valid({{"type", "integer"}}, json::parse("18446744073709551615")));
}

TEST(JsonSchemaType, IntegerAcceptsWholeFloatsOnly) {
  EXPECT_TRUE(valid({{"type", "integer"}}, 3.0));
  EXPECT_EQ(problem({{"type", "integer"}}, 3.5), "(root): expected integer, got number 3.5");
}

TEST(JsonSchemaType, MismatchNamesLocationExpectedAndActual) {
  json schema = {
      {"type", "object"},
      {"properties",
       {{"edits",
         {{"type", "array"},
          {"items",
           {{"type", "object"}, {"properties", {{"old_text", {{"type", "string"}}}}}}}}}}}};
  EXPECT_EQ(problem(schema, {{"edits", {{{"old_text", 5}}}}}),
            "/edits/0/old_text: expected string, got number");
  EXPECT_EQ(problem(schema, json::array()), "(root): expected object, got array");
}

TEST(JsonSchemaType, ArrayOfTypes) {
  json schema = {{"type", {"string", "null"}}};
  EXPECT_TRUE(valid(schema, "x"));
  EXPECT_TRUE(valid(schema, nullptr));
  EXPECT_EQ(problem(schema, 1), "(root): expected string or null, got number");
}

TEST(JsonSchemaType, QuotedNumberGetsAHint) {
  EXPECT_EQ(problem({{"type", "integer"}}, "5"),
            "(root): expected integer, got string (pass 5 without quotes)");
  EXPECT_EQ(problem({{"type", "boolean"}}, "true"),
            "(root): expected boolean, got string (pass true without quotes)");
  EXPECT_NE(problem({{"type", "array"}}, "[1,2]").find("JSON text inside a string"),
            std::string::npos);
  EXPECT_EQ(problem({{"type", "integer"}}, "five"), "(root): expected integer, got string");
}

TEST(JsonSchemaType, BadTypeValuesAreRefused) {
  EXPECT_EQ(refusal({{"type", "text"}}),
            "/type: unknown type \"text\" (use null, boolean, object, array, number, integer or "
            "string)");
  EXPECT_NE(refusal({{"type", json::array()}}), "");
  EXPECT_NE(refusal({{"type", {"string", "string"}}}), "");
  EXPECT_NE(refusal({{"type", 3}}), "");
}

TEST(JsonSchemaType, BooleanSchemas) {
  EXPECT_TRUE(valid(true, 42));
  EXPECT_EQ(problem(false, 42), "(root): no value is allowed here");
  EXPECT_TRUE(valid(json::object(), json::array({1, "x"})));
  EXPECT_NE(refusal(42), "");
}

// ---- objects -------------------------------------------------------------------------------

json read_schema() {
  return {{"type", "object"},
          {"properties",
           {{"path", {{"type", "string"}, {"description", "file"}}},
            {"offset", {{"type", "integer"}, {"minimum", 0}}},
            {"limit", {{"type", "integer"}, {"minimum", 1}}}}},
          {"required", {"path"}},
          {"additionalProperties", false}};
}

TEST(JsonSchemaObject, MissingRequiredProperty) {
  EXPECT_EQ(problem(read_schema(), json::object()), "(root): missing required property \"path\"");
  json two = {{"type", "object"}, {"required", {"a", "b"}}};
  EXPECT_EQ(problem(two, json::object()), "(root): missing required properties \"a\", \"b\"");
  EXPECT_TRUE(valid(two, {{"a", 1}, {"b", 2}}));
}

TEST(JsonSchemaObject, UnknownPropertyListsAllowedAndSuggests) {
  EXPECT_EQ(problem(read_schema(), {{"pth", "a.txt"}}),
            "(root): unknown property \"pth\" (allowed: limit, offset, path); did you mean "
            "\"path\"?");
  EXPECT_EQ(problem(read_schema(), {{"path", "a"}, {"x", 1}, {"zzz", 2}}),
            "(root): unknown properties \"x\", \"zzz\" (allowed: limit, offset, path)");
  EXPECT_TRUE(valid(read_schema(), {{"path", "a"}, {"limit", 3}}));
}

TEST(JsonSchemaObject, PropertyValuesAreChecked) {
  EXPECT_EQ(problem(read_schema(), {{"path", "a"}, {"limit", 0}}), "/limit: must be >= 1, got 0");
}

TEST(JsonSchemaObject, AdditionalPropertiesSchema) {
  json schema = {{"type", "object"},
                 {"properties", {{"a", {{"type", "string"}}}}},
                 {"additionalProperties", {{"type", "integer"}}}};
  EXPECT_TRUE(valid(schema, {{"a", "x"}, {"b", 2}}));
  EXPECT_EQ(problem(schema, {{"a", "x"}, {"b", "two"}}), "/b: expected integer, got string");
}

TEST(JsonSchemaObject, FalsePropertyIsNotAllowed) {
  json schema = {{"properties", {{"legacy", false}}}};
  EXPECT_EQ(problem(schema, {{"legacy", 1}}), "(root): property \"legacy\" is not allowed");
  EXPECT_TRUE(valid(schema, {{"other", 1}}));
}

TEST(JsonSchemaObject, PatternProperties) {
  json schema = {{"type", "object"},
                 {"patternProperties", {{"^x-", {{"type", "string"}}}}},
                 {"additionalProperties", false}};
  EXPECT_TRUE(valid(schema, {{"x-trace", "on"}}));
  EXPECT_EQ(problem(schema, {{"x-trace", 1}}), "/x-trace: expected string, got number");
  EXPECT_EQ(problem(schema, {{"trace", "on"}}),
            "(root): unknown property \"trace\" (allowed: names matching \"^x-\")");
  EXPECT_NE(refusal({{"patternProperties", {{"(", true}}}}), "");
}

TEST(JsonSchemaObject, PropertyCountsAndNames) {
  json schema = {{"minProperties", 1}, {"maxProperties", 2}, {"propertyNames", {{"maxLength", 3}}}};
  EXPECT_EQ(problem(schema, json::object()), "(root): must have at least 1 property, got 0");
  EXPECT_EQ(problem(schema, {{"a", 1}, {"b", 2}, {"c", 3}}),
            "(root): must have at most 2 properties, got 3");
  EXPECT_EQ(problem(schema, {{"long", 1}}),
            "(root): property name \"long\" is invalid: must be at most 3 characters long, got 4");
  EXPECT_TRUE(valid(schema, {{"ok", 1}}));
}

TEST(JsonSchemaObject, DependentRequiredAndSchemas) {
  json schema = {{"dependentRequired", {{"start", {"end"}}}},
                 {"dependentSchemas", {{"dry_run", {{"required", {"reason"}}}}}}};
  EXPECT_TRUE(valid(schema, {{"end", 1}}));
  EXPECT_EQ(problem(schema, {{"start", 1}}),
            "(root): property \"start\" requires property \"end\" as well");
  EXPECT_EQ(problem(schema, {{"dry_run", true}}), "(root): missing required property \"reason\"");
}

TEST(JsonSchemaObject, RequiredMustBeUniqueStrings) {
  EXPECT_NE(refusal({{"required", "path"}}), "");
  EXPECT_NE(refusal({{"required", {"a", "a"}}}), "");
  EXPECT_NE(refusal({{"required", {1}}}), "");
}

// ---- arrays --------------------------------------------------------------------------------

TEST(JsonSchemaArray, ItemsAndCounts) {
  json schema = {
      {"type", "array"}, {"items", {{"type", "string"}}}, {"minItems", 1}, {"maxItems", 2}};
  EXPECT_TRUE(valid(schema, {"a"}));
  EXPECT_EQ(problem(schema, json::array()), "(root): must have at least 1 item, got 0");
  EXPECT_EQ(problem(schema, {"a", "b", "c"}), "(root): must have at most 2 items, got 3");
  EXPECT_EQ(problem(schema, {"a", 2}), "/1: expected string, got number");
}

TEST(JsonSchemaArray, PrefixItemsThenItems) {
  json schema = {{"prefixItems", {{{"type", "string"}}, {{"type", "integer"}}}},
                 {"items", {{"type", "boolean"}}}};
  EXPECT_TRUE(valid(schema, {"a", 1, true, false}));
  EXPECT_TRUE(valid(schema, {"a"}));
  EXPECT_EQ(problem(schema, {"a", "b"}), "/1: expected integer, got string");
  EXPECT_EQ(problem(schema, {"a", 1, 2}), "/2: expected boolean, got number");

  json closed = {{"prefixItems", {{{"type", "string"}}}}, {"items", false}};
  EXPECT_EQ(problem(closed, {"a", "b"}), "(root): must have at most 1 item, got 2");
  EXPECT_EQ(problem({{"items", false}}, {1}), "(root): must be an empty array, got 1 item");
}

TEST(JsonSchemaArray, TupleItemsFromDraft7AreRefused) {
  EXPECT_NE(refusal({{"items", {{{"type", "string"}}}}}).find("prefixItems"), std::string::npos);
}

TEST(JsonSchemaArray, UniqueItemsUsesJsonEquality) {
  json schema = {{"uniqueItems", true}};
  EXPECT_TRUE(valid(schema, {1, 2, "1", json::object(), json::array()}));
  EXPECT_EQ(problem(schema, {1, 2, 1.0}),
            "(root): items must be unique, but items 0 and 2 are both 1.0");
  EXPECT_FALSE(valid(schema, {{{"a", 1}, {"b", 2}}, {{"b", 2}, {"a", 1}}}));
  EXPECT_FALSE(
      valid(schema, {json::array({1, json::array({2})}), json::array({1, json::array({2})})}));
  EXPECT_TRUE(valid({{"uniqueItems", false}}, {1, 1}));
}

TEST(JsonSchemaArray, UniqueItemsOnALargeArray) {
  json items = json::array();
  for (int i = 0; i < 20000; ++i) items.push_back(i);
  EXPECT_TRUE(valid({{"uniqueItems", true}}, items));
  items.push_back(19999);
  EXPECT_EQ(problem({{"uniqueItems", true}}, items),
            "(root): items must be unique, but items 19999 and 20000 are both 19999");
}

TEST(JsonSchemaArray, Contains) {
  json schema = {{"contains", {{"type", "integer"}}}, {"minContains", 2}, {"maxContains", 3}};
  EXPECT_TRUE(valid(schema, {1, "a", 2}));
  EXPECT_EQ(problem(schema, {1, "a"}),
            "(root): must contain at least 2 items matching the \"contains\" schema, found 1 "
            "(first mismatch: /1: expected integer, got string)");
  EXPECT_EQ(problem(schema, {1, 2, 3, 4}),
            "(root): must contain at most 3 items matching the \"contains\" schema, found 4");
  EXPECT_FALSE(valid({{"contains", {{"const", 1}}}}, json::array()));
  EXPECT_NE(refusal({{"minContains", 1}}), "");
}

// ---- scalars -------------------------------------------------------------------------------

TEST(JsonSchemaEnum, MessageListsAllowedValues) {
  json schema = {{"enum", {"overwrite", "create", "append"}}};
  EXPECT_TRUE(valid(schema, "create"));
  json wrapped = {{"properties", {{"mode", schema}}}};
  EXPECT_EQ(problem(wrapped, {{"mode", "replace"}}),
            "/mode: must be one of \"overwrite\", \"create\", \"append\"; got \"replace\"");
  EXPECT_TRUE(valid({{"enum", {1, nullptr}}}, 1.0));
  EXPECT_NE(refusal({{"enum", "a"}}), "");
}

TEST(JsonSchemaEnum, LongEnumsAreCutShort) {
  json values = json::array();
  for (int i = 0; i < 30; ++i) values.push_back(i);
  const std::string message = problem({{"enum", values}}, 99);
  EXPECT_NE(message.find("19, ... (10 more); got 99"), std::string::npos) << message;
}

TEST(JsonSchemaConst, Message) {
  EXPECT_TRUE(valid({{"const", {{"a", 1}}}}, {{"a", 1}}));
  EXPECT_EQ(problem({{"const", "v1"}}, "v2"), "(root): must be \"v1\"; got \"v2\"");
  EXPECT_TRUE(valid({{"const", nullptr}}, nullptr));
  EXPECT_FALSE(valid({{"const", nullptr}}, 0));
}

TEST(JsonSchemaNumber, Bounds) {
  EXPECT_EQ(problem({{"minimum", 1}}, 0), "(root): must be >= 1, got 0");
  EXPECT_EQ(problem({{"maximum", 10}}, 10.5), "(root): must be <= 10, got 10.5");
  EXPECT_TRUE(valid({{"minimum", 1}, {"maximum", 1}}, 1));
  EXPECT_EQ(problem({{"exclusiveMinimum", 0}}, 0), "(root): must be > 0, got 0");
  EXPECT_EQ(problem({{"exclusiveMaximum", 5}}, 5.0), "(root): must be < 5, got 5.0");
  EXPECT_TRUE(valid({{"exclusiveMinimum", 0}}, 0.001));
  // Bounds do not apply to other types.
  EXPECT_TRUE(valid({{"minimum", 1}}, "zero"));
}

TEST(JsonSchemaNumber, LargeIntegersCompareExactly) {
  json schema = {{"maximum", 9007199254740992LL}};
  EXPECT_TRUE(valid(schema, 9007199254740992LL));
  EXPECT_FALSE(valid(schema, 9007199254740993LL));
  EXPECT_TRUE(valid({{"minimum", -1}}, json::parse("18446744073709551615")));
  EXPECT_FALSE(valid({{"maximum", -1}}, json::parse("18446744073709551615")));
}

TEST(JsonSchemaNumber, MultipleOf) {
  EXPECT_TRUE(valid({{"multipleOf", 5}}, -15));
  EXPECT_EQ(problem({{"multipleOf", 5}}, 7), "(root): must be a multiple of 5, got 7");
  EXPECT_TRUE(valid({{"multipleOf", 0.1}}, 0.3));
  EXPECT_TRUE(valid({{"multipleOf", 0.01}}, 19.99));
  EXPECT_FALSE(valid({{"multipleOf", 0.1}}, 0.35));
  EXPECT_TRUE(valid({{"multipleOf", 2}}, 4.0));
  EXPECT_NE(refusal({{"multipleOf", 0}}), "");
  EXPECT_NE(refusal({{"multipleOf", -1}}), "");
}

TEST(JsonSchemaNumber, BoundsMustBeNumbers) {
  EXPECT_NE(refusal({{"exclusiveMinimum", true}}).find("draft-04"), std::string::npos);
  EXPECT_NE(refusal({{"minimum", "1"}}), "");
}

TEST(JsonSchemaString, LengthsCountCodePoints) {
  json schema = {{"minLength", 2}, {"maxLength", 3}};
  EXPECT_TRUE(valid(schema, "héé"));  // 3 code points, 5 bytes
  EXPECT_TRUE(valid(schema, "😀😀"));   // 2 code points, 8 bytes
  EXPECT_EQ(problem(schema, "😀"), "(root): must be at least 2 characters long, got 1");
  EXPECT_EQ(problem(schema, "abcd"), "(root): must be at most 3 characters long, got 4");
  EXPECT_EQ(problem({{"minLength", 1}}, ""), "(root): must be at least 1 character long, got 0");
  EXPECT_TRUE(valid({{"maxLength", 1}}, "€"));
}

TEST(JsonSchemaString, LengthsMustBeNonNegativeIntegers) {
  EXPECT_EQ(refusal({{"properties", {{"n", {{"minLength", -1}}}}}}),
            "/properties/n/minLength: must be a non-negative integer");
  EXPECT_NE(refusal({{"minLength", -1}}), "");
  EXPECT_NE(refusal({{"maxLength", 1.5}}), "");
  EXPECT_EQ(refusal({{"maxLength", 2.0}}), "");
}

TEST(JsonSchemaString, PatternSearchesAndReports) {
  json schema = {{"pattern", "^[a-z]+$"}};
  EXPECT_TRUE(valid(schema, "main"));
  EXPECT_EQ(problem(schema, "Main"), "(root): must match pattern \"^[a-z]+$\", got \"Main\"");
  // "$" matches only at the very end, as in ECMA-262 (not before a final newline, as in Perl).
  EXPECT_FALSE(valid(schema, "main\n"));
  // Not anchored unless the pattern says so.
  EXPECT_TRUE(valid({{"pattern", "b"}}, "abc"));
  EXPECT_TRUE(valid({{"pattern", "x"}}, 5));
}

TEST(JsonSchemaString, PatternIsUnicodeAware) {
  EXPECT_TRUE(valid({{"pattern", "^.$"}}, "é"));
  EXPECT_TRUE(valid({{"pattern", "^\\u00e9$"}}, "é"));
  EXPECT_TRUE(valid({{"pattern", "^[^a]{2}$"}}, "😀😀"));
}

TEST(JsonSchemaString, InvalidPatternIsRefusedAtCompile) {
  const std::string error = refusal({{"properties", {{"name", {{"pattern", "([a-z"}}}}}});
  EXPECT_EQ(error.rfind("/properties/name/pattern: invalid pattern", 0), 0u) << error;
  EXPECT_NE(refusal({{"pattern", 5}}), "");
}

TEST(JsonSchemaString, CatastrophicPatternFailsInsteadOfHanging) {
  const std::string subject = std::string(40, 'a') + "!";
  const std::string message = problem({{"pattern", "^(a+)+$"}}, subject);
  EXPECT_NE(message.find("could not be checked against pattern"), std::string::npos) << message;
}

TEST(JsonSchemaString, LongValuesAreTruncatedInMessages) {
  const std::string message = problem({{"pattern", "^x"}}, std::string(500, 'y'));
  EXPECT_LT(message.size(), 150u);
  EXPECT_NE(message.find("..."), std::string::npos);
}

// ---- combinators ---------------------------------------------------------------------------

TEST(JsonSchemaAnyOf, AcceptsWhenOneMatches) {
  json schema = {
      {"anyOf", {{{"type", "string"}}, {{"type", "array"}, {"items", {{"type", "string"}}}}}}};
  EXPECT_TRUE(valid(schema, "a"));
  EXPECT_TRUE(valid(schema, {"a", "b"}));
}

TEST(JsonSchemaAnyOf, TypeMismatchesAreMerged) {
  json schema = {
      {"anyOf", {{{"type", "string"}}, {{"type", "array"}, {"items", {{"type", "string"}}}}}}};
  EXPECT_EQ(problem(schema, 5), "(root): expected string or array, got number");
}

TEST(JsonSchemaAnyOf, MismatchesAtTheSamePlaceAreMerged) {
  json schema = {{"anyOf",
                  {{{"properties", {{"a", {{"type", "string"}}}}}},
                   {{"properties", {{"a", {{"type", {"integer", "string"}}}}}}}}}};
  EXPECT_EQ(problem(schema, {{"a", nullptr}}), "/a: expected string or integer, got null");
}

TEST(JsonSchemaAnyOf, ConstantsAreMerged) {
  json schema = {{"anyOf", {{{"const", "a"}}, {{"enum", {"b", "c"}}}}}};
  EXPECT_EQ(problem(schema, "d"), "(root): must be one of \"a\", \"b\", \"c\"; got \"d\"");
}

TEST(JsonSchemaAnyOf, ReportsTheAlternativeThatWasMeant) {
  json schema = {
      {"anyOf", {{{"type", "string"}}, {{"type", "array"}, {"items", {{"type", "string"}}}}}}};
  EXPECT_EQ(problem(schema, {"a", 2}), "/1: expected string, got number");
}

TEST(JsonSchemaAnyOf, DiscriminatorPicksTheBranch) {
  json add = {{"type", "object"},
              {"properties", {{"op", {{"const", "add"}}}, {"value", {{"type", "number"}}}}},
              {"required", {"op", "value"}}};
  json remove = {{"type", "object"},
                 {"properties", {{"op", {{"const", "remove"}}}, {"index", {{"type", "integer"}}}}},
                 {"required", {"op", "index"}}};
  json schema = {{"oneOf", {add, remove}}};
  EXPECT_TRUE(valid(schema, {{"op", "add"}, {"value", 1}}));
  EXPECT_EQ(problem(schema, {{"op", "add"}, {"value", "x"}}),
            "/value: expected number, got string");
  EXPECT_EQ(problem(schema, {{"op", "remove"}}), "(root): missing required property \"index\"");
  EXPECT_EQ(problem(schema, {{"op", "add"}}), "(root): missing required property \"value\"");
  EXPECT_EQ(problem(schema, {{"op", "move"}}),
            "/op: must be one of \"add\", \"remove\"; got \"move\"");
}

TEST(JsonSchemaAnyOf, ListsEquallyPlausibleAlternatives) {
  json schema = {{"anyOf", {{{"required", {"a"}}}, {{"required", {"b"}}}}}};
  EXPECT_EQ(problem(schema, json::object()),
            "(root): does not match any of the anyOf alternatives; anyOf[0]: (root): missing "
            "required property \"a\"; anyOf[1]: (root): missing required property \"b\"");
}

TEST(JsonSchemaOneOf, MoreThanOneMatchIsAnError) {
  json schema = {{"oneOf", {{{"type", "integer"}}, {{"minimum", 0}}}}};
  EXPECT_TRUE(valid(schema, -1));
  EXPECT_TRUE(valid(schema, 0.5));
  EXPECT_EQ(problem(schema, 1),
            "(root): matches oneOf[0] and oneOf[1], but must match exactly one of the oneOf "
            "alternatives");
  EXPECT_EQ(problem(schema, -0.5), "(root): must be >= 0, got -0.5");
}

TEST(JsonSchemaAllOf, EveryBranchMustMatch) {
  json schema = {{"allOf", {{{"type", "string"}}, {{"minLength", 2}}}}};
  EXPECT_TRUE(valid(schema, "ab"));
  EXPECT_EQ(problem(schema, "a"), "(root): must be at least 2 characters long, got 1");
  EXPECT_NE(refusal({{"allOf", json::array()}}), "");
  EXPECT_NE(refusal({{"anyOf", json::object()}}), "");
}

TEST(JsonSchemaNot, RejectsMatches) {
  json schema = {{"properties", {{"ref", {{"not", {{"pattern", "^-"}}}}}}}};
  EXPECT_TRUE(valid(schema, {{"ref", "main"}}));
  EXPECT_EQ(
      problem(schema, {{"ref", "-rf"}}),
      "/ref: must not match the schema at \"#/properties/ref/not\", but it does; got \"-rf\"");
}

TEST(JsonSchemaIfThenElse, PicksTheBranch) {
  json schema = {{"if", {{"properties", {{"kind", {{"const", "file"}}}}}}},
                 {"then", {{"required", {"path"}}}},
                 {"else", {{"required", {"url"}}}}};
  EXPECT_TRUE(valid(schema, {{"kind", "file"}, {"path", "a"}}));
  EXPECT_EQ(problem(schema, {{"kind", "file"}}), "(root): missing required property \"path\"");
  EXPECT_EQ(problem(schema, {{"kind", "web"}}), "(root): missing required property \"url\"");
  EXPECT_TRUE(valid({{"if", {{"type", "string"}}}}, 1));
  EXPECT_NE(refusal({{"then", true}}), "");
}

// ---- $ref ----------------------------------------------------------------------------------

TEST(JsonSchemaRef, LocalDefinitions) {
  json schema = {{"$defs", {{"name", {{"type", "string"}, {"minLength", 1}}}}},
                 {"definitions", {{"count", {{"type", "integer"}}}}},
                 {"properties",
                  {{"a", {{"$ref", "#/$defs/name"}}}, {"b", {{"$ref", "#/definitions/count"}}}}}};
  EXPECT_TRUE(valid(schema, {{"a", "x"}, {"b", 1}}));
  EXPECT_EQ(problem(schema, {{"a", ""}}), "/a: must be at least 1 character long, got 0");
  EXPECT_EQ(problem(schema, {{"b", "1"}}),
            "/b: expected integer, got string (pass 1 without quotes)");
}

TEST(JsonSchemaRef, EscapedPointers) {
  json schema = {{"$defs", {{"a/b", {{"type", "string"}}}, {"c d", {{"type", "integer"}}}}},
                 {"prefixItems", {{{"$ref", "#/$defs/a~1b"}}, {{"$ref", "#/$defs/c%20d"}}}}};
  EXPECT_TRUE(valid(schema, {"x", 1}));
  EXPECT_FALSE(valid(schema, {1, 1}));
  EXPECT_FALSE(valid(schema, {"x", "y"}));
}

TEST(JsonSchemaRef, RecursiveSchemaValidatesTrees) {
  json schema = {{"$defs",
                  {{"node",
                    {{"type", "object"},
                     {"properties",
                      {{"name", {{"type", "string"}}},
                       {"children", {{"type", "array"}, {"items", {{"$ref", "#/$defs/node"}}}}}}},
                     {"additionalProperties", false}}}}},
                 {"$ref", "#/$defs/node"}};
  json tree = {{"name", "root"}, {"children", {{{"name", "a"}, {"children", {{{"name", "b"}}}}}}}};
  EXPECT_TRUE(valid(schema, tree));
  tree["children"][0]["children"][0]["name"] = 3;
  EXPECT_EQ(problem(schema, tree), "/children/0/children/0/name: expected string, got number");
}

TEST(JsonSchemaRef, RootReference) {
  json schema = {{"type", "array"}, {"items", {{"$ref", "#"}}}};
  EXPECT_TRUE(valid(schema, json::parse("[[], [[]]]")));
  EXPECT_EQ(problem(schema, json::parse("[[], [1]]")), "/1/0: expected array, got number");
}

TEST(JsonSchemaRef, CyclesThatNeverDescendAreRefused) {
  json direct = {{"$defs", {{"a", {{"$ref", "#/$defs/a"}}}}}, {"$ref", "#/$defs/a"}};
  EXPECT_NE(refusal(direct).find("reference cycle"), std::string::npos) << refusal(direct);
  json mutual = {{"$defs",
                  {{"a", {{"allOf", {{{"$ref", "#/$defs/b"}}}}}},
                   {"b", {{"anyOf", {{{"type", "string"}}, {{"$ref", "#/$defs/a"}}}}}}}}};
  EXPECT_NE(refusal(mutual).find("reference cycle"), std::string::npos) << refusal(mutual);
  json self = {{"not", {{"$ref", "#"}}}};
  EXPECT_NE(refusal(self).find("reference cycle"), std::string::npos);
}

TEST(JsonSchemaRef, RemoteAndBrokenReferencesAreRefused) {
  EXPECT_NE(refusal({{"$ref", "https://example.com/schema.json"}}).find("only local references"),
            std::string::npos);
  EXPECT_NE(refusal({{"$ref", "other.json#/a"}}), "");
  EXPECT_NE(refusal({{"$ref", "#/$defs/missing"}}).find("does not point at anything"),
            std::string::npos);
  EXPECT_NE(refusal({{"$ref", "#anchor"}}).find("anchor"), std::string::npos);
  EXPECT_NE(refusal({{"$ref", 1}}), "");
}

TEST(JsonSchemaRef, UnusedDefinitionsAreStillChecked) {
  EXPECT_EQ(refusal({{"$defs", {{"x", {{"nullable", true}}}}}}),
            "/$defs/x: unknown keyword \"nullable\": this validator does not enforce it; write "
            "\"type\": [\"<type>\", \"null\"] instead");
}

// ---- keywords ------------------------------------------------------------------------------

TEST(JsonSchemaKeywords, UnknownKeywordIsRefusedWithLocation) {
  EXPECT_EQ(refusal({{"properties", {{"path", {{"type", "string"}, {"fileExists", true}}}}}}),
            "/properties/path: unknown keyword \"fileExists\": this validator does not enforce "
            "it; remove it, or name a custom annotation \"x-fileExists\"");
  EXPECT_NE(refusal({{"unevaluatedProperties", false}}).find("\"unevaluatedProperties\""),
            std::string::npos);
  EXPECT_NE(refusal({{"items", {{"minimum", 0}, {"maximumm", 3}}}}).find("/items: unknown keyword"),
            std::string::npos);
}

TEST(JsonSchemaKeywords, AnnotationsAreAccepted) {
  json schema = {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
                 {"$id", "urn:benchtop:test"},
                 {"$comment", "c"},
                 {"title", "t"},
                 {"description", "d"},
                 {"type", "object"},
                 {"properties",
                  {{"path",
                    {{"type", "string"},
                     {"default", "."},
                     {"examples", {"src"}},
                     {"format", "uri"},
                     {"deprecated", false},
                     {"readOnly", false},
                     {"writeOnly", false},
                     {"contentMediaType", "text/plain"},
                     {"contentEncoding", "base64"},
                     {"x-mcp-header", "Path"}}}}}};
  EXPECT_EQ(refusal(schema), "");
  // format is an annotation only.
  EXPECT_TRUE(valid(schema, {{"path", "not a uri"}}));
}

// ---- limits --------------------------------------------------------------------------------

TEST(JsonSchemaLimits, DeepInstanceUnderRecursiveSchema) {
  json schema = {{"type", "array"}, {"items", {{"$ref", "#"}}}};
  json deep = json::array();
  for (int i = 0; i < 1000; ++i) deep = json::array({std::move(deep)});
  const std::string message = problem(schema, deep);
  EXPECT_NE(message.find("nested too deeply"), std::string::npos) << message;
  // Also when the limit is hit inside one of several alternatives.
  json either = {
      {"anyOf", {{{"type", "string"}}, {{"type", "array"}, {"items", {{"$ref", "#"}}}}}}};
  const std::string inside = problem(either, deep);
  EXPECT_NE(inside.find("nested too deeply"), std::string::npos) << inside;

  json shallow = json::array();
  for (int i = 0; i < 50; ++i) shallow = json::array({std::move(shallow)});
  EXPECT_TRUE(valid(schema, shallow));
}

TEST(JsonSchemaLimits, ExponentialAlternativesAreCut) {
  // Each level offers two alternatives that both recurse: 2^depth applications on failure.
  json schema = {{"anyOf",
                  {{{"type", "array"}, {"items", {{"$ref", "#"}}}},
                   {{"type", "array"}, {"items", {{"$ref", "#"}}}, {"minItems", 1}}}}};
  json deep = json::array({"leaf"});
  for (int i = 0; i < 60; ++i) deep = json::array({std::move(deep)});
  const std::string message = problem(schema, deep);
  EXPECT_NE(message.find("too complex to validate"), std::string::npos) << message;
}

TEST(JsonSchemaLimits, DeepSchemaIsRefused) {
  json schema = true;
  for (int i = 0; i < 1000; ++i) schema = json{{"not", std::move(schema)}};
  EXPECT_NE(refusal(schema).find("nested more than"), std::string::npos);
}

TEST(JsonSchemaLimits, ConcurrentValidationSharesOneCompiledSchema) {
  const JsonSchema schema = compiled({{"type", "object"},
                                      {"properties", {{"ref", {{"pattern", "^[a-z]+$"}}}}},
                                      {"additionalProperties", false}});
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&schema, &wrong, t] {
      for (int i = 0; i < 2000; ++i) {
        const bool good = (i + t) % 2 == 0;
        const auto result = schema.validate({{"ref", good ? "main" : "Main"}});
        if (result.has_value() == good) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(JsonSchemaLimits, MovedSchemaStillValidates) {
  JsonSchema first = compiled(read_schema());
  JsonSchema second = std::move(first);
  EXPECT_EQ(second.validate(json::object()).value_or(""),
            "(root): missing required property \"path\"");
}

// ---- registry ------------------------------------------------------------------------------

Tool read_tool(int* calls) {
  Tool tool;
  tool.name = "fs_read";
  tool.title = "Read";
  tool.description = "Reads a file.";
  tool.input_schema = read_schema();
  tool.output_schema = {
      {"type", "object"}, {"properties", {{"text", {{"type", "string"}}}}}, {"required", {"text"}}};
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = [calls](const json& args, ToolContext&) {
    ++*calls;
    if (args.contains("limit") && args["limit"] == 99)
      return ToolResult::success({{"text", 1}}, "1");
    return ToolResult::success({{"text", "hello"}}, "hello");
  };
  return tool;
}

std::string text_of(const ToolResult& result) {
  return result.content.empty() ? "" : result.content[0].value("text", "");
}

TEST(JsonSchemaRegistry, InvalidArgumentsNeverReachTheHandler) {
  int calls = 0;
  ToolRegistry registry;
  registry.add(read_tool(&calls));
  ToolContext context;

  auto result = registry.call("fs_read", {{"pth", "a.txt"}}, context);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->is_error);
  EXPECT_NE(text_of(*result).find("unknown property \"pth\""), std::string::npos)
      << text_of(*result);

  result = registry.call("fs_read", {{"path", "a.txt"}, {"offset", -1}}, context);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->is_error);
  EXPECT_NE(text_of(*result).find("/offset: must be >= 0, got -1"), std::string::npos)
      << text_of(*result);

  result = registry.call("fs_read", {{"path", 7}}, context);
  ASSERT_TRUE(result.has_value());
  EXPECT_NE(text_of(*result).find("/path: expected string, got number"), std::string::npos);
  EXPECT_EQ(calls, 0);
}

TEST(JsonSchemaRegistry, ValidArgumentsRunTheHandler) {
  int calls = 0;
  ToolRegistry registry;
  registry.add(read_tool(&calls));
  ToolContext context;
  auto result = registry.call("fs_read", {{"path", "a.txt"}}, context);
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(result->is_error);
  EXPECT_EQ(calls, 1);
}

TEST(JsonSchemaRegistry, OutputThatBreaksItsSchemaIsAnError) {
  int calls = 0;
  ToolRegistry registry;
  registry.add(read_tool(&calls));
  ToolContext context;
  auto result = registry.call("fs_read", {{"path", "a.txt"}, {"limit", 99}}, context);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->is_error);
  EXPECT_EQ(calls, 1);
}

TEST(JsonSchemaRegistry, ToolWithAnInvalidSchemaIsReportedAndNeverRun) {
  int calls = 0;
  Tool tool = read_tool(&calls);
  tool.input_schema["properties"]["path"]["nullable"] = true;
  ToolRegistry registry;
  registry.add(std::move(tool));
  const Status checked = registry.compile_all();
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().message.find("/properties/path: unknown keyword \"nullable\""),
            std::string::npos)
      << checked.error().message;
  ToolContext context;
  auto result = registry.call("fs_read", {{"path", "a"}}, context);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->is_error);
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace benchtop

namespace benchtop {
namespace {

// Found by the fuzzer: a bound too large for any integer type was converted anyway (undefined
// behaviour). It is refused like any other bad bound.
TEST(JsonSchemaBoundsTest, ABoundBeyondEveryIntegerIsRefusedCleanly) {
  for (const char* text :
       {R"({"maxLength": 1.11111e+75})", R"({"minItems": 18446744073709551616.0})",
        R"({"maxProperties": 1e308})"}) {
    auto compiled = JsonSchema::compile(nlohmann::json::parse(text));
    EXPECT_FALSE(static_cast<bool>(compiled)) << text;
  }
  EXPECT_TRUE(
      static_cast<bool>(JsonSchema::compile(nlohmann::json::parse(R"({"maxLength": 4.0})"))));
}

}  // namespace
}  // namespace benchtop
