#include "tools/exec/command_properties.h"

namespace benchtop {

nlohmann::json command_property(std::string description, int max_length) {
  return {{"type", "string"},
          {"minLength", 1},
          {"maxLength", max_length},
          {"description", std::move(description)}};
}

nlohmann::json cwd_property() {
  return {{"type", "string"}, {"maxLength", 4096}, {"description", "Directory to run in."}};
}

nlohmann::json env_property() {
  return {{"type", "object"},
          {"additionalProperties", {{"type", "string"}}},
          {"maxProperties", 200},
          {"description", "Extra environment variables."}};
}

}  // namespace benchtop
