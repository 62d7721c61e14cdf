// fs_write: whole-file writes, always through a temporary file renamed into place.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/human_units.h"
#include "server/workspace/atomic_file.h"
#include "tools/common/workspace_args.h"
#include "tools/fs/fs_common.h"

namespace benchtop::fs_tools {
namespace {

ToolResult fs_write(WorkspaceProvider& provider, const nlohmann::json& args) {
  auto target = resolve(provider, args);
  if (!target) return error_result(target.error());
  if (target->relative.empty()) {
    return ToolResult::error("The workspace root is a directory; give the path of a file to write");
  }
  const std::string mode = args.value("mode", "overwrite");
  // Missing parents are made by default: a write to notes/hello.txt should not cost a second turn.
  const bool create_dirs = args.value("create_dirs", true);
  auto content_arg = args.find("content");
  if (content_arg == args.end() || !content_arg->is_string()) {
    return ToolResult::error("content (a string) is required: the complete text to write.");
  }
  const std::string& content = content_arg->get_ref<const std::string&>();

  auto parent = target->workspace->open_parent(target->relative, create_dirs);
  if (!parent) {
    if (parent.error().code == "not_found" && !create_dirs) {
      return ToolResult::error("The parent directory of " + target->shown +
                               " does not exist (create_dirs=false). Leave create_dirs out to "
                               "create it, or check the path with fs_list.");
    }
    return error_result(parent.error());
  }
  const int dir_fd = parent->first.get();
  const std::string& name = parent->second;

  struct stat st {};
  bool exists = true;
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno != ENOENT) return error_result(path_error(target->shown, errno));
    exists = false;
  }
  if (exists) {
    if (S_ISLNK(st.st_mode)) {
      // Refused rather than replaced: a link is usually there on purpose, and writing through
      // it would make the destination depend on where it points.
      return ToolResult::error(target->shown +
                               " is a symlink; fs_write never writes through or replaces "
                               "symlinks. Write to the path it points to (fs_stat shows the "
                               "target), or fs_delete the link first.");
    }
    if (S_ISDIR(st.st_mode)) {
      return ToolResult::error(target->shown + " is a directory; give the path of a file.");
    }
    if (!S_ISREG(st.st_mode)) {
      return ToolResult::error(target->shown +
                               " is not a regular file (FIFO, socket or device); "
                               "fs_write only writes regular files.");
    }
    if (mode == "create") {
      return ToolResult::error(target->shown +
                               " already exists. Use mode=\"overwrite\" to replace it, "
                               "mode=\"append\" to add to it, or fs_edit to change part of it.");
    }
  }

  AtomicWriteOptions options;
  options.no_replace = mode == "create";
  options.existing = exists ? &st : nullptr;
  UniqueFd old_contents;
  if (mode == "append" && exists) {
    old_contents.reset(
        ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!old_contents) return error_result(path_error(target->shown, errno));
    options.prefix_fd = old_contents.get();
    // If the file changes between being copied and being replaced, fail instead of losing data.
    options.unchanged_since = &st;
  }
  auto size = write_file_atomic(dir_fd, name, target->shown, content, options);
  if (!size) {
    if (size.error().code == "exists") {
      return ToolResult::error(target->shown +
                               " was created by someone else meanwhile; nothing was written. "
                               "Use mode=\"overwrite\" to replace it.");
    }
    return error_result(size.error());
  }

  struct stat now {};
  const std::string file_mode = ::fstatat(dir_fd, name.c_str(), &now, AT_SYMLINK_NOFOLLOW) == 0
                                    ? octal_mode(now.st_mode)
                                    : octal_mode(st.st_mode);
  nlohmann::json structured = {{"path", target->shown},
                               {"bytes_written", static_cast<int64_t>(content.size())},
                               {"size", static_cast<int64_t>(*size)},
                               {"created", !exists},
                               {"mode", file_mode}};
  std::string text = (mode == "append" && exists ? "Appended " : "Wrote ") +
                     std::to_string(content.size()) + " bytes to " + target->shown +
                     (exists ? "" : " (new file)") +
                     (mode == "append" && exists ? "; it now has " + human_bytes(*size) : "");
  ToolResult result = ToolResult::success(std::move(structured), std::move(text));
  result.file_changes.push_back(
      {target->shown, exists ? FileChange::Action::kModified : FileChange::Action::kCreated, ""});
  return result;
}

}  // namespace

void register_write_tools(ToolRegistry& registry, WorkspaceProvider& provider) {
  Tool write;
  write.name = "fs_write";
  write.title = "Write file";
  write.description = "Write a whole file atomically. To change part of a file use fs_edit.";
  write.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"path", path_property("File path.")},
        {"content", {{"type", "string"}}},
        {"mode",
         {{"type", "string"},
          {"enum", {"overwrite", "create", "append"}},
          {"default", "overwrite"},
          {"description", "overwrite, create or append."}}},
        {"create_dirs",
         {{"type", "boolean"}, {"default", true}, {"description", "Create parent directories."}}}}},
      {"required", {"path", "content"}},
      {"additionalProperties", false},
  };
  write.output_schema = {
      {"type", "object"},
      {"properties",
       {{"path", {{"type", "string"}}},
        {"bytes_written", {{"type", "integer"}, {"description", "Bytes of content written"}}},
        {"size", {{"type", "integer"}, {"description", "Size of the file afterwards"}}},
        {"created", {{"type", "boolean"}, {"description", "True if the file did not exist"}}},
        {"mode", {{"type", "string"}, {"description", "Permission bits in octal"}}}}},
      {"required", {"path", "bytes_written", "size", "created", "mode"}},
  };
  write.annotations = {.read_only = false, .destructive = true, .idempotent = false};
  write.handler = [&provider](const nlohmann::json& args, ToolContext&) {
    return fs_write(provider, args);
  };
  write.changed_paths = paths_in_arguments({"path"});
  registry.add(std::move(write));
}

}  // namespace benchtop::fs_tools
