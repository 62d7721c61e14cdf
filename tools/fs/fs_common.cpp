#include "tools/fs/fs_common.h"

#include <ctime>

#include "server/workspace/browse/directory_listing.h"
#include "server/workspace/path_escape.h"
#include "tools/common/workspace_args.h"

namespace benchtop::fs_tools {

Result<Target> resolve(WorkspaceProvider& provider, const nlohmann::json& arguments,
                       const char* key, bool default_root) {
  auto workspace = workspace_for(provider, arguments);
  if (!workspace) return workspace.take_error();
  auto path = optional_string(arguments, key);
  if (!path) {
    if (!default_root) return Error::make(std::string("Missing argument: ") + key, "invalid");
    path = "";
  }
  auto relative = (*workspace)->relative_path(*path);
  if (!relative) return relative.take_error();
  Target target{std::move(workspace).value(), std::move(relative).value(), {}};
  target.shown = target.relative.empty() ? "." : escape_path(target.relative);
  return target;
}

nlohmann::json path_property(std::string description) {
  // How names are escaped in results, and accepted as shown, is said once, in the server's
  // instructions, rather than in every path argument.
  return {{"type", "string"}, {"description", std::move(description)}};
}

ToolResult error_result(const Error& error) {
  std::string message = error.message;
  if (error.code == "not_found") {
    message += ". Use fs_list to see what exists.";
  } else if (error.code == "outside_workspace") {
    message +=
        ". Paths are relative to the workspace root and must stay inside it; symlinks that "
        "lead outside are not followed.";
  } else if (error.code == "not_directory") {
    message += ". Check the path with fs_stat.";
  } else if (error.code == "permission_denied") {
    message += ". The server may not change this file.";
  }
  return ToolResult::error(message);
}

std::string type_name(mode_t mode) {
  return std::string(to_string(entry_type(mode)));
}

std::string octal_mode(mode_t mode) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%04o", static_cast<unsigned>(mode & 07777));
  return buffer;
}

std::string iso8601_utc(const struct timespec& time) {
  std::tm parts{};
  ::gmtime_r(&time.tv_sec, &parts);
  char buffer[40];
  const size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &parts);
  std::snprintf(buffer + n, sizeof buffer - n, ".%03ldZ", time.tv_nsec / 1000000);
  return buffer;
}

}  // namespace benchtop::fs_tools
