#include "server/mcp/schema/type_schema.h"

#include <gtest/gtest.h>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "server/mcp/schema/json_schema.h"

namespace benchtop {
namespace {

using json = nlohmann::json;

enum class Phase { kQueued, kRunning, kDone };
BOOST_DESCRIBE_ENUM(Phase, kQueued, kRunning, kDone)

std::string_view to_string(Phase phase) {
  switch (phase) {
    case Phase::kQueued:
      return "queued";
    case Phase::kRunning:
      return "running";
    case Phase::kDone:
      return "done";
  }
  return "unknown";
}

struct Entry {
  std::string path;
  int64_t size = 0;
  static constexpr FieldDoc kFieldDocs[] = {{"path", "Relative path."}};
};
BOOST_DESCRIBE_STRUCT(Entry, (), (path, size))

struct Report {
  std::vector<Entry> entries;
  Phase phase = Phase::kQueued;
  bool truncated = false;
  size_t total = 0;
  double seconds = 0;
  Nullable<int> exit_code;
  std::optional<std::string> note;
  std::map<std::string, int> counts;
  json extra;
  static constexpr std::string_view kDescription = "A report.";
  static constexpr FieldDoc kFieldDocs[] = {{"entries", "What was found."},
                                            {"exit_code", "Null while running."}};
};
BOOST_DESCRIBE_STRUCT(Report, (),
                      (entries, phase, truncated, total, seconds, exit_code, note, counts, extra))

struct SizedEntry : Entry {
  bool dir = false;
  static constexpr FieldDoc kFieldDocs[] = {{"dir", "A directory."}};
};
BOOST_DESCRIBE_STRUCT(SizedEntry, (Entry), (dir))

struct Misdocumented {
  int count = 0;
  static constexpr FieldDoc kFieldDocs[] = {{"cuont", "A typo."}};
};
BOOST_DESCRIBE_STRUCT(Misdocumented, (), (count))

JsonSchema compiled(const json& schema) {
  auto result = JsonSchema::compile(schema);
  if (!result) throw std::runtime_error("schema refused: " + result.error().message);
  return std::move(result).value();
}

TEST(TypeSchemaTest, MapsEveryKindOfMember) {
  const json schema = schema_of<Report>();
  EXPECT_EQ(schema["type"], "object");
  EXPECT_EQ(schema["description"], "A report.");
  EXPECT_EQ(schema["additionalProperties"], false);
  const json& properties = schema["properties"];
  EXPECT_EQ(properties["entries"]["type"], "array");
  EXPECT_EQ(properties["entries"]["description"], "What was found.");
  EXPECT_EQ(properties["entries"]["items"]["properties"]["path"]["description"], "Relative path.");
  EXPECT_EQ(properties["entries"]["items"]["required"], json({"path", "size"}));
  EXPECT_EQ(properties["phase"],
            json({{"type", "string"}, {"enum", {"queued", "running", "done"}}}));
  EXPECT_EQ(properties["truncated"]["type"], "boolean");
  EXPECT_EQ(properties["total"], json({{"type", "integer"}}));
  EXPECT_EQ(properties["seconds"]["type"], "number");
  EXPECT_EQ(properties["exit_code"]["type"], json({"integer", "null"}));
  EXPECT_EQ(properties["note"]["type"], "string");
  EXPECT_EQ(properties["counts"]["additionalProperties"]["type"], "integer");
  EXPECT_EQ(properties["extra"], json::object());
  // Optional members are the only ones a result may leave out.
  EXPECT_EQ(schema["required"], json({"entries", "phase", "truncated", "total", "seconds",
                                      "exit_code", "counts", "extra"}));
  EXPECT_TRUE(static_cast<bool>(JsonSchema::compile(schema)));
}

TEST(TypeSchemaTest, ValuesMatchTheirOwnSchema) {
  const JsonSchema schema = compiled(schema_of<Report>());
  Report report;
  report.entries = {{"a.txt", 3}, {"b/c.txt", 0}};
  report.phase = Phase::kRunning;
  report.counts = {{"x", 1}};
  report.extra = {{"anything", json::array({1, "two"})}};
  json structured = to_structured(report);
  EXPECT_EQ(schema.validate(structured), std::nullopt) << structured.dump();
  EXPECT_EQ(structured["phase"], "running");
  EXPECT_TRUE(structured["exit_code"].is_null());
  EXPECT_FALSE(structured.contains("note"));
  EXPECT_EQ(structured["entries"][1], json({{"path", "b/c.txt"}, {"size", 0}}));

  report.exit_code = 2;
  report.note = "done";
  report.phase = Phase::kDone;
  structured = to_structured(report);
  EXPECT_EQ(schema.validate(structured), std::nullopt) << structured.dump();
  EXPECT_EQ(structured["exit_code"], 2);
  EXPECT_EQ(structured["note"], "done");
}

TEST(TypeSchemaTest, TheSchemaRefusesWhatTheTypeCannotProduce) {
  const JsonSchema schema = compiled(schema_of<Report>());
  json structured = to_structured(Report{});
  structured["phase"] = "paused";
  EXPECT_NE(schema.validate(structured), std::nullopt);
  structured = to_structured(Report{});
  structured["unexpected"] = 1;
  EXPECT_NE(schema.validate(structured), std::nullopt);
  structured = to_structured(Report{});
  structured.erase("truncated");
  EXPECT_NE(schema.validate(structured), std::nullopt);
}

TEST(TypeSchemaTest, ADerivedResultKeepsItsBasesMembersAndTheirDocs) {
  const json schema = schema_of<SizedEntry>();
  EXPECT_EQ(schema["required"], json({"path", "size", "dir"}));
  EXPECT_EQ(schema["properties"]["path"]["description"], "Relative path.");
  EXPECT_EQ(schema["properties"]["dir"]["description"], "A directory.");
  SizedEntry entry;
  entry.path = "d";
  entry.dir = true;
  EXPECT_EQ(to_structured(entry), json({{"path", "d"}, {"size", 0}, {"dir", true}}));
}

TEST(TypeSchemaTest, AFieldDocNamingNoMemberIsRefused) {
  EXPECT_THROW(schema_of<Misdocumented>(), std::logic_error);
}

}  // namespace
}  // namespace benchtop
