#include "tools/exec/command_properties.h"

namespace benchtop {

nlohmann::json command_property(std::string description, int max_length) {
  return {{"type", "string"},
          {"minLength", 1},
          {"maxLength", max_length},
          {"description", std::move(description)}};
}

nlohmann::json cwd_property() {
  return {{"type", "string"},
          {"maxLength", 4096},
          {"description",
           "Directory to run in, relative to the workspace root (e.g. 'frontend'); default the "
           "root, which is /workspace inside the container."}};
}

nlohmann::json env_property() {
  return {{"type", "object"},
          {"additionalProperties", {{"type", "string"}}},
          {"maxProperties", 200},
          {"description",
           "Extra environment variables, e.g. {\"CI\": \"1\"}. The command starts from a clean "
           "environment (PATH, HOME=/tmp, LANG=C.UTF-8) plus these."}};
}

}  // namespace benchtop
