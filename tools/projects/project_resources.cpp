#include "tools/projects/project_resources.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "common/base64.h"
#include "common/hex_digit.h"
#include "common/utf8.h"
#include "server/workspace/changes/file_watcher.h"
#include "server/workspace/project_instructions.h"
#include "server/workspace/workspace.h"

namespace benchtop {
namespace {

constexpr size_t kMaxCompletions = 100;

// Percent-decoding of the path part of a URI; a malformed escape leaves the text as it is.
std::string percent_decode(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const int high = i + 2 < text.size() ? hex_digit_value(text[i + 1]) : -1;
    const int low = high >= 0 ? hex_digit_value(text[i + 2]) : -1;
    if (text[i] == '%' && low >= 0) {
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string mime_type_for(const std::string& path, bool text) {
  const auto dot = path.rfind('.');
  const std::string extension = dot == std::string::npos ? "" : path.substr(dot + 1);
  if (extension == "json") return "application/json";
  if (extension == "md") return "text/markdown";
  if (extension == "html" || extension == "htm") return "text/html";
  if (extension == "png") return "image/png";
  if (extension == "jpg" || extension == "jpeg") return "image/jpeg";
  if (extension == "gif") return "image/gif";
  if (extension == "pdf") return "application/pdf";
  return text ? "text/plain" : "application/octet-stream";
}

Result<std::string> read_all(int fd, const std::string& shown) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Error::make(shown + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) {
    return Error::make(shown + " is not a regular file; only files can be read as resources");
  }
  if (static_cast<size_t>(st.st_size) > kMaxResourceBytes) {
    return Error::make(shown + " is larger than " + std::to_string(kMaxResourceBytes) +
                       " bytes; read it in parts with fs_read");
  }
  std::string bytes;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::make(shown + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
    if (bytes.size() > kMaxResourceBytes) return Error::make(shown + " grew while being read");
  }
  return bytes;
}

Result<nlohmann::json> read_project_file(ProjectService& projects, const std::string& uri,
                                         const std::map<std::string, std::string>& variables) {
  const std::string project = percent_decode(variables.at("project"));
  const std::string path = percent_decode(variables.at("path"));
  auto workspace = projects.workspace(project);
  if (!workspace) return Error::make(workspace.error().message, kResourceNotFound);
  auto relative = (*workspace)->relative_path(path);
  if (!relative) return relative.error();
  auto fd = (*workspace)->open_at(*relative, O_RDONLY);
  if (!fd) {
    if (fd.error().code == "not_found") return Error::make(fd.error().message, kResourceNotFound);
    return fd.error();
  }
  auto bytes = read_all(fd->get(), path);
  if (!bytes) return bytes.error();
  nlohmann::json item = {{"uri", uri}};
  if (valid_utf8(*bytes) == *bytes) {
    item["mimeType"] = mime_type_for(path, true);
    item["text"] = std::move(*bytes);
  } else {
    item["mimeType"] = mime_type_for(path, false);
    item["blob"] = base64::encode(*bytes);
  }
  return nlohmann::json::array({std::move(item)});
}

// Entries of the directory part of `value` whose names start with its last part; directories
// end in '/' so that the next completion descends into them.
std::vector<std::string> complete_path(ProjectService& projects, const std::string& project,
                                       const std::string& value) {
  std::vector<std::string> out;
  auto workspace =
      projects.workspace(project.empty() ? std::nullopt : std::optional<std::string>(project));
  if (!workspace) return out;
  const auto slash = value.rfind('/');
  const std::string directory = slash == std::string::npos ? "" : value.substr(0, slash);
  const std::string prefix = slash == std::string::npos ? value : value.substr(slash + 1);
  auto relative = (*workspace)->relative_path(directory.empty() ? "." : directory);
  if (!relative) return out;
  auto fd = (*workspace)->open_directory(*relative);
  if (!fd) return out;
  DIR* dir = ::fdopendir(::dup(fd->get()));
  if (!dir) return out;
  while (dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name == "." || name == ".." || name.rfind(prefix, 0) != 0) continue;
    if (prefix.empty() && name.front() == '.') continue;  // hidden entries only when asked for
    const bool is_dir = entry->d_type == DT_DIR;
    out.push_back((directory.empty() ? "" : directory + "/") + name + (is_dir ? "/" : ""));
  }
  ::closedir(dir);
  std::sort(out.begin(), out.end());
  if (out.size() > kMaxCompletions) out.resize(kMaxCompletions);
  return out;
}

}  // namespace

namespace {

// Watches the directory entry behind a project-file URI; the file need not exist yet (a
// subscriber hears of its creation).
Status watch_project_file(ProjectService& projects, FileWatcher& watcher,
                          const std::map<std::string, std::string>& variables,
                          std::function<void()> changed) {
  auto workspace = projects.workspace(percent_decode(variables.at("project")));
  if (!workspace) return Error::make(workspace.error().message, kResourceNotFound);
  auto relative = (*workspace)->relative_path(percent_decode(variables.at("path")));
  if (!relative) return relative.error();
  auto parent = (*workspace)->open_parent(*relative);
  if (!parent) return parent.error();
  return watcher.watch(parent->first.get(), parent->second, std::move(changed));
}

}  // namespace

void register_project_resources(ResourceRegistry& resources, ProjectService& projects,
                                FileWatcher* watcher) {
  ResourceTemplate files;
  files.uri_template = "benchtop://{project}/{+path}";
  files.name = "project-file";
  files.title = "Project file";
  files.description =
      "A file in a project's workspace: benchtop://<project name or id>/<path relative to the "
      "workspace root>. Text files come back as text, others as base64 blobs; files over 4 MiB "
      "are refused (use fs_read with a range).";
  files.read = [&projects](const std::string& uri,
                           const std::map<std::string, std::string>& variables,
                           ToolContext&) { return read_project_file(projects, uri, variables); };
  files.complete = [&projects](const std::string& argument, const std::string& value,
                               const std::map<std::string, std::string>& context) {
    if (argument == "project") return projects.names_starting_with(value);
    if (argument == "path") {
      auto it = context.find("project");
      return complete_path(projects, it == context.end() ? "" : it->second, value);
    }
    return std::vector<std::string>{};
  };
  if (watcher) {
    files.watch = [&projects, watcher](const std::string&,
                                       const std::map<std::string, std::string>& variables,
                                       std::function<void()> changed) {
      return watch_project_file(projects, *watcher, variables, std::move(changed));
    };
  }
  // Each project's notes for agents (AGENTS.md, CLAUDE.md) are named in resources/list, so a
  // client shows them without knowing the convention.
  files.list = [&projects] {
    std::vector<Resource> listed;
    auto all = projects.list();
    if (!all) return listed;
    for (const Project& project : *all) {
      auto workspace = projects.workspace(project.id);
      if (!workspace) continue;
      for (const std::string& file : instruction_files_present(**workspace)) {
        listed.push_back({.uri = "benchtop://" + project.name + "/" + file,
                          .name = project.name + "/" + file,
                          .title = file + " of " + project.name,
                          .description = "The project's instructions for agents working on it.",
                          .mime_type = "text/markdown",
                          .read = {}});
      }
    }
    return listed;
  };
  resources.add_template(std::move(files));
}

}  // namespace benchtop
