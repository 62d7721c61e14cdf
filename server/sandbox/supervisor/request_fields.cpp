#include "server/sandbox/supervisor/request_fields.h"

namespace benchtop::supervisor {
namespace {

Error bad(const std::string& message) {
  return Error::make(message, "bad_request");
}

}  // namespace

Result<std::string> required_string(const nlohmann::json& body, const char* name) {
  const auto field = body.find(name);
  if (field == body.end() || !field->is_string()) {
    return bad(std::string("`") + name + "` must be a string");
  }
  std::string value = field->get<std::string>();
  if (value.find('\0') != std::string::npos) {
    return bad(std::string("`") + name + "` contains a NUL byte");
  }
  return value;
}

Result<std::optional<int64_t>> optional_integer(const nlohmann::json& body, const char* name,
                                                int64_t min, int64_t max) {
  const auto field = body.find(name);
  if (field == body.end() || field->is_null()) return std::optional<int64_t>();
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  const Error out_of_range = bad(std::string("`") + name + "` must be an integer in " + range);
  if (field->is_number_unsigned()) {
    // Parsed JSON holds every non-negative integer as unsigned.
    const uint64_t value = field->get<uint64_t>();
    if (value > static_cast<uint64_t>(max)) return out_of_range;
    if (static_cast<int64_t>(value) < min) return out_of_range;
    return std::optional<int64_t>(static_cast<int64_t>(value));
  }
  if (!field->is_number_integer()) return out_of_range;
  const int64_t value = field->get<int64_t>();
  if (value < min || value > max) return out_of_range;
  return std::optional<int64_t>(value);
}

Result<int64_t> required_integer(const nlohmann::json& body, const char* name, int64_t min,
                                 int64_t max) {
  auto value = optional_integer(body, name, min, max);
  if (!value) return value.take_error();
  if (!*value) {
    return bad(std::string("`") + name + "` is required (an integer in " + std::to_string(min) +
               ".." + std::to_string(max) + ")");
  }
  return **value;
}

Result<bool> optional_bool(const nlohmann::json& body, const char* name, bool otherwise) {
  const auto field = body.find(name);
  if (field == body.end() || field->is_null()) return otherwise;
  if (!field->is_boolean()) return bad(std::string("`") + name + "` must be true or false");
  return field->get<bool>();
}

Result<std::vector<std::string>> environment(const nlohmann::json& body) {
  const auto field = body.find("env");
  if (field == body.end() || !field->is_object()) {
    return bad("`env` must be an object of strings");
  }
  std::vector<std::string> entries;
  entries.reserve(field->size());
  for (const auto& [name, value] : field->items()) {
    if (name.empty() || name.find_first_of(std::string("=\0", 2)) != std::string::npos) {
      return bad("`env` has an invalid variable name: \"" + name + "\"");
    }
    if (!value.is_string()) return bad("`env." + name + "` must be a string");
    const std::string text = value.get<std::string>();
    if (text.find('\0') != std::string::npos) {
      return bad("`env." + name + "` contains a NUL byte");
    }
    entries.push_back(name + "=" + text);
  }
  return entries;
}

Result<std::string> working_directory(const std::string& workspace_root, const std::string& cwd) {
  if (!cwd.empty() && cwd.front() == '/') return bad("`cwd` must be relative to the workspace");
  if (cwd.empty()) return workspace_root;
  return workspace_root + "/" + cwd;
}

Result<SpawnSpec> command_spec(const nlohmann::json& body, const std::string& workspace_root,
                               const std::string& shell) {
  auto command = required_string(body, "command");
  if (!command) return command.take_error();
  auto cwd = required_string(body, "cwd");
  if (!cwd) return cwd.take_error();
  auto directory = working_directory(workspace_root, *cwd);
  if (!directory) return directory.take_error();
  auto env = environment(body);
  if (!env) return env.take_error();
  SpawnSpec spec;
  spec.shell = shell;
  spec.command = std::move(*command);
  spec.directory = std::move(*directory);
  spec.env = std::move(*env);
  return spec;
}

}  // namespace benchtop::supervisor
