#include "tools/common/host_paths.h"

#include <cctype>

namespace benchtop {
namespace {

// A path continues with a name character; anything else ends it.
bool continues_path(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

// The path as given and its canonical form (they differ when it leads through a symlink).
void add_forms(std::vector<std::pair<std::string, std::string>>& paths,
               const std::filesystem::path& path, const std::string& to) {
  if (path.empty()) return;
  std::string given = path.lexically_normal().string();
  while (given.size() > 1 && given.back() == '/') given.pop_back();
  std::error_code error;
  const auto canonical = std::filesystem::weakly_canonical(path, error);
  if (!error && canonical.string() != given) paths.emplace_back(canonical.string(), to);
  paths.emplace_back(std::move(given), to);
}

}  // namespace

std::string replace_host_paths(std::string text,
                               const std::vector<std::pair<std::string, std::string>>& paths) {
  for (const auto& [from, to] : paths) {
    if (from.size() < 2) continue;  // never "/" alone
    for (size_t at = text.find(from); at != std::string::npos;) {
      const size_t end = at + from.size();
      if (end < text.size() && continues_path(text[end])) {
        at = text.find(from, at + 1);
        continue;
      }
      text.replace(at, from.size(), to);
      at = text.find(from, at + to.size());
    }
  }
  return text;
}

ToolRegistry::ErrorTextFilter host_path_filter(ProjectService& projects,
                                               std::filesystem::path data_dir) {
  return [&projects, data_dir = std::move(data_dir)](const nlohmann::json& arguments,
                                                     std::string text) {
    std::vector<std::pair<std::string, std::string>> paths;
    std::optional<std::string> project;
    if (arguments.is_object() && arguments.contains("project") &&
        arguments["project"].is_string()) {
      project = arguments["project"].get<std::string>();
    }
    if (auto found = projects.resolve(project); found) add_forms(paths, found->root, "/workspace");
    add_forms(paths, data_dir, "<data dir>");
    return replace_host_paths(std::move(text), paths);
  };
}

}  // namespace benchtop
