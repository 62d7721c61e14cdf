// The JSON Schema validator: the first line is a schema, the rest an instance. Compiling any
// schema and validating any instance (and the schema itself) never crashes. Values nest at most
// as deep as a JSON-RPC message may (jsonrpc::kMaxNestingDepth), as in the product.
#include <nlohmann/json.hpp>
#include <optional>

#include "fuzz/fuzz_input.h"
#include "server/mcp/schema/json_schema.h"

namespace {

constexpr int kMaxDepth = 128;

std::optional<nlohmann::json> parse_bounded(std::string_view text) {
  bool too_deep = false;
  nlohmann::json value = nlohmann::json::parse(
      text,
      [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
        if (depth > kMaxDepth) too_deep = true;
        return !too_deep;
      },
      /*allow_exceptions=*/false);
  if (too_deep || value.is_discarded()) return std::nullopt;
  return value;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto [schema_text, instance_text] =
      benchtop::fuzz::first_line(benchtop::fuzz::as_text(data, size));
  const auto schema = parse_bounded(schema_text);
  if (!schema) return 0;
  auto compiled = benchtop::JsonSchema::compile(*schema);
  if (!compiled) return 0;
  (void)compiled->validate(*schema);
  if (const auto instance = parse_bounded(instance_text)) (void)compiled->validate(*instance);
  return 0;
}
