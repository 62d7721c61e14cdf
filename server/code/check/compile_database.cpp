#include "server/code/check/compile_database.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/text.h"

namespace benchtop::code_check {
namespace {

using nlohmann::json;

std::string text_member(const json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// A `command` string split as a shell would split plain words and quoted ones (no expansions).
std::vector<std::string> split_command(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < command.size()) {
        word += command[++i];
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < command.size()) {
      word += command[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

class PathMapper {
 public:
  PathMapper(std::string_view host_root, std::string directory)
      : host_root_(host_root), directory_(std::move(directory)) {}

  // `path` (relative to the entry's directory, or absolute) as the workspace-relative path it
  // names; std::nullopt when it is outside the workspace.
  std::optional<std::string> relative(const std::string& path) const {
    std::filesystem::path full(path);
    if (full.is_relative()) full = std::filesystem::path(directory_) / full;
    const std::string normal = full.lexically_normal().generic_string();
    for (std::string_view root : {std::string_view("/workspace"), host_root_}) {
      if (root.empty() || !normal.starts_with(root)) continue;
      if (normal.size() == root.size()) return std::string();
      if (normal[root.size()] != '/') continue;
      std::string rest = normal.substr(root.size() + 1);
      while (rest.ends_with('/')) rest.pop_back();
      return rest;
    }
    return std::nullopt;
  }

  // An include directory as an argument: inside the workspace relative to it, elsewhere as it
  // is (the sandbox has /usr, and a directory it lacks is only a directory not searched).
  std::string directory_argument(const std::string& path) const {
    if (auto inside = relative(path)) return inside->empty() ? "." : "./" + *inside;
    std::filesystem::path full(path);
    if (full.is_relative()) full = std::filesystem::path(directory_) / full;
    return full.lexically_normal().generic_string();
  }

 private:
  std::string_view host_root_;
  std::string directory_;
};

// The flags of one entry's arguments that a syntax check may use, each one quoted word.
std::vector<std::string> kept_flags(const std::vector<std::string>& arguments,
                                    const PathMapper& paths) {
  static constexpr std::string_view kDirectoryFlags[] = {"-isystem", "-iquote", "-I"};
  std::vector<std::string> kept;
  for (size_t i = 1; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    bool matched = false;
    for (std::string_view flag : kDirectoryFlags) {
      if (!argument.starts_with(flag)) continue;
      matched = true;
      std::string value = argument.substr(flag.size());
      if (value.empty() && i + 1 < arguments.size()) value = arguments[++i];
      if (!value.empty()) {
        kept.push_back(shell_quote(std::string(flag) + paths.directory_argument(value)));
      }
      break;
    }
    if (matched) continue;
    if (argument == "-D" || argument == "-U") {
      if (i + 1 < arguments.size()) kept.push_back(shell_quote(argument + arguments[++i]));
    } else if (argument.starts_with("-D") || argument.starts_with("-U") ||
               argument.starts_with("-std=")) {
      kept.push_back(shell_quote(argument));
    }
  }
  return kept;
}

}  // namespace

CompileDatabase CompileDatabase::parse(std::string_view text, std::string_view host_root) {
  CompileDatabase database;
  const json entries = json::parse(text, nullptr, false);
  if (!entries.is_array()) return database;
  for (const json& entry : entries) {
    if (!entry.is_object()) continue;
    const PathMapper paths(host_root, text_member(entry, "directory"));
    auto file = paths.relative(text_member(entry, "file"));
    if (!file || file->empty()) continue;
    std::vector<std::string> arguments;
    if (auto listed = entry.find("arguments"); listed != entry.end() && listed->is_array()) {
      for (const json& argument : *listed) {
        if (argument.is_string()) arguments.push_back(argument.get<std::string>());
      }
    } else {
      arguments = split_command(text_member(entry, "command"));
    }
    database.flags_.emplace(*file, kept_flags(arguments, paths));
  }
  return database;
}

std::optional<std::vector<std::string>> CompileDatabase::flags_for(
    const std::string& relative) const {
  auto found = flags_.find(relative);
  if (found == flags_.end()) return std::nullopt;
  return found->second;
}

}  // namespace benchtop::code_check
