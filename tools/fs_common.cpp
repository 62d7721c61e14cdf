#include "tools/fs_common.h"

#include <ctime>

#include "server/path_escape.h"
#include "tools/workspace_args.h"

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
  return {{"type", "string"},
          {"description", std::move(description) +
                              " Names are shown escaped in results (\\xHH for a control "
                              "character or a byte that is not UTF-8, \\\\ for a backslash) and "
                              "are accepted here as shown."}};
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
  if (S_ISREG(mode)) return "file";
  if (S_ISDIR(mode)) return "directory";
  if (S_ISLNK(mode)) return "symlink";
  return "other";
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

bool is_valid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t length;
    uint32_t code;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      length = 2, code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, code = c & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8.
    if ((length == 2 && code < 0x80) || (length == 3 && code < 0x800) ||
        (length == 4 && code < 0x10000) || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

size_t utf8_prefix(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text.size();
  size_t end = limit;
  // Step back over continuation bytes to the start of the sequence that straddles the limit.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return end;
}

}  // namespace benchtop::fs_tools
