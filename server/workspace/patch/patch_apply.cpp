#include "server/workspace/patch/patch_apply.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <set>
#include <utility>

#include "common/utf8.h"
#include "server/workspace/atomic_file.h"
#include "server/workspace/patch/hunk_match.h"
#include "server/workspace/path_escape.h"
#include "server/workspace/regular_file.h"

namespace benchtop::patch {
namespace {

Failure failure_of(const Error& error) {
  if (error.code == "not_found") return Failure::kFileMissing;
  if (error.code == "exists") return Failure::kFileExists;
  if (error.code == "io_error" || error.code == "busy") return Failure::kIoError;
  return Failure::kRefused;
}

// A message as one sentence of a longer one.
std::string sentence(std::string text) {
  if (!text.empty() && text.back() != '.') text += '.';
  return text;
}

bool has_dot_dot(std::string_view relative) {
  for (size_t start = 0; start <= relative.size();) {
    size_t end = relative.find('/', start);
    if (end == std::string_view::npos) end = relative.size();
    if (relative.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

std::string_view parent_of(std::string_view relative) {
  const size_t slash = relative.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : relative.substr(0, slash);
}

size_t line_count(std::string_view text) {
  size_t lines = 0;
  for (const char c : text) lines += c == '\n' ? 1 : 0;
  return lines + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

// What reading a file for a section needs: its status only (a rename), its bytes (a deletion,
// kept to undo it), or its text (hunks to match).
enum class Need { kStatus, kBytes, kText };

class Planner {
 public:
  Planner(const Workspace& workspace, const PatchLimits& limits, PatchPlan& plan)
      : workspace_(workspace), limits_(limits), plan_(plan) {}

  void add(const FilePatch& section) {
    const size_t failures = plan_.failures.size();
    section_ = &section;
    PlannedFile file;
    switch (section.action) {
      case FileAction::kAdd:
        plan_add(section, file);
        break;
      case FileAction::kDelete:
        plan_delete(section, file);
        break;
      case FileAction::kUpdate:
        plan_update(section, file);
        break;
    }
    if (plan_.failures.size() == failures) plan_.files.push_back(std::move(file));
  }

 private:
  void fail(const std::string& shown, Failure reason, std::string message, size_t hunk = 0) {
    PatchFailure failure;
    failure.path = shown;
    failure.hunk = hunk;
    failure.patch_line = section_->patch_line;
    if (hunk > 0) {
      failure.header = section_->hunks[hunk - 1].header;
      failure.patch_line = section_->hunks[hunk - 1].patch_line;
    }
    failure.reason = reason;
    failure.message = std::move(message);
    plan_.failures.push_back(std::move(failure));
  }

  void fail(const std::string& shown, const Error& error) {
    fail(shown, failure_of(error), sentence(error.message));
  }

  // The workspace-relative path for a path in the patch, claimed for this section: no other
  // section may name it, a directory above it or a path below it.
  std::optional<std::string> claim(const std::string& written, std::string& shown) {
    shown = escape_path(written);
    auto relative = workspace_.relative_path(written);
    if (!relative) {
      fail(shown, relative.error());
      return std::nullopt;
    }
    if (relative->empty() || has_dot_dot(*relative)) {
      fail(shown, Failure::kRefused,
           relative->empty() ? "the path names the workspace root, not a file."
                             : "'..' is not allowed in a patch's paths; name files from the "
                               "workspace root.");
      return std::nullopt;
    }
    shown = escape_path(*relative);
    if (auto it = claimed_.find(*relative); it != claimed_.end()) {
      fail(shown, Failure::kRefused,
           "the patch names this file twice (also at line " + std::to_string(it->second) +
               "); put all changes to a file in one section.");
      return std::nullopt;
    }
    for (size_t slash = relative->find('/'); slash != std::string::npos;
         slash = relative->find('/', slash + 1)) {
      if (claimed_.count(relative->substr(0, slash))) {
        fail(shown, Failure::kRefused,
             "the patch also names " + escape_path(relative->substr(0, slash)) +
                 " as a file, so this cannot be inside it.");
        return std::nullopt;
      }
    }
    const std::string below = *relative + "/";
    if (auto it = claimed_.lower_bound(below);
        it != claimed_.end() && it->first.starts_with(below)) {
      fail(shown, Failure::kRefused,
           "the patch also names " + escape_path(it->first) + ", inside this path.");
      return std::nullopt;
    }
    claimed_.emplace(*relative, section_->patch_line);
    return std::move(relative).value();
  }

  // Opens the existing regular file `relative` (never through a final symlink) and reads what
  // `need` says into `content`.
  bool open_existing(const std::string& relative, const std::string& shown, Need need,
                     UniqueFd& dir, std::string& name, struct stat& status, std::string& content) {
    auto parent = workspace_.open_parent(relative);
    if (!parent) {
      if (parent.error().code == "not_found") return missing(shown);
      fail(shown, parent.error());
      return false;
    }
    struct stat st {};
    if (::fstatat(parent->first.get(), parent->second.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return missing(shown);
      fail(shown, path_error(shown, errno));
      return false;
    }
    if (S_ISLNK(st.st_mode)) {
      fail(shown, Failure::kRefused,
           "it is a symlink; patches change regular files only, never through links. Patch the "
           "file it points to (fs_stat shows the target).");
      return false;
    }
    if (!S_ISREG(st.st_mode)) {
      fail(shown, Failure::kRefused,
           S_ISDIR(st.st_mode) ? "it is a directory, not a file."
                               : "it is not a regular file (a FIFO, socket or device).");
      return false;
    }
    if (!inodes_.emplace(st.st_dev, st.st_ino).second) {
      fail(shown, Failure::kRefused,
           "it is the same file as another path in the patch (a hard link, or a path through a "
           "symlinked directory); patch it under one name.");
      return false;
    }
    if (need != Need::kStatus) {
      const auto size = static_cast<size_t>(st.st_size);
      if (size > limits_.max_file_bytes) {
        fail(shown, Failure::kRefused,
             "it is larger than " + std::to_string(limits_.max_file_bytes >> 20) +
                 " MiB, more than a patch may change; use fs_write or shell_exec for it.");
        return false;
      }
      if (bytes_read_ + size > limits_.max_total_bytes) {
        fail(shown, Failure::kRefused,
             "the patch's files together exceed " + std::to_string(limits_.max_total_bytes >> 20) +
                 " MiB; split the patch.");
        return false;
      }
      auto fd = open_regular_at(parent->first.get(), parent->second.c_str(), shown, &st);
      if (!fd) {
        fail(shown, fd.error());
        return false;
      }
      auto data = read_to_end(fd->get(), shown, limits_.max_file_bytes);
      if (!data) {
        fail(shown, data.error());
        return false;
      }
      bytes_read_ += data->size();
      if (need == Need::kText && (data->find('\0') != std::string::npos || !is_valid_utf8(*data))) {
        fail(shown, Failure::kRefused,
             "it is not UTF-8 text (binary or another encoding); only text files can be "
             "patched.");
        return false;
      }
      content = std::move(data).value();
    }
    dir = std::move(parent->first);
    name = std::move(parent->second);
    status = st;
    return true;
  }

  bool missing(const std::string& shown) {
    fail(shown, Failure::kFileMissing,
         "the file does not exist. Check the path with fs_list; to create a file use "
         "'*** Add File' or a diff from /dev/null.");
    return false;
  }

  // Checks that `relative` can be created: it does not exist, and what exists of its directory
  // is a directory inside the workspace (missing ones are made when the patch is written, and
  // `dir` stays closed).
  bool prepare_new(const std::string& relative, const std::string& shown, UniqueFd& dir,
                   std::string& name) {
    auto parent = workspace_.open_parent(relative);
    if (parent) {
      struct stat st {};
      if (::fstatat(parent->first.get(), parent->second.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        fail(shown, Failure::kFileExists,
             std::string(S_ISLNK(st.st_mode) ? "a symlink" : "a file") +
                 " already exists at this path; patch the existing file instead, or delete it "
                 "first.");
        return false;
      }
      if (errno != ENOENT) {
        fail(shown, path_error(shown, errno));
        return false;
      }
      dir = std::move(parent->first);
      name = std::move(parent->second);
      return true;
    }
    if (parent.error().code != "not_found") {
      fail(shown, parent.error());
      return false;
    }
    for (std::string_view up = parent_of(relative); !up.empty(); up = parent_of(up)) {
      auto st = workspace_.stat_at(up, /*follow_final_symlink=*/true);
      if (st) {
        if (S_ISDIR(st->st_mode)) break;
        fail(shown, Failure::kRefused, escape_path(up) + " is a file, not a directory.");
        return false;
      }
      if (st.error().code != "not_found") {
        fail(shown, st.error());
        return false;
      }
    }
    const size_t slash = relative.rfind('/');
    name = relative.substr(slash == std::string::npos ? 0 : slash + 1);
    return true;
  }

  // Matches the section's hunks against `text`, reporting each one that does not apply.
  std::optional<FileEdit> match(const std::string& shown, std::string_view text) {
    FileEdit edit = apply_hunks(text, section_->hunks);
    for (size_t i = 0; i < edit.hunks.size(); ++i) {
      if (!edit.hunks[i].applied) fail(shown, edit.hunks[i].reason, edit.hunks[i].message, i + 1);
    }
    if (!edit.text) return std::nullopt;
    return edit;
  }

  static void count(PlannedFile& file, const FileEdit& edit) {
    file.hunks = edit.hunks.size();
    file.lines_added = edit.lines_added;
    file.lines_removed = edit.lines_removed;
  }

  void plan_add(const FilePatch& section, PlannedFile& file) {
    std::string shown;
    auto relative = claim(section.path, shown);
    if (!relative || !prepare_new(*relative, shown, file.dir, file.name)) return;
    const FileEdit edit = apply_hunks("", section.hunks);  // added lines only: always applies
    file.change = Change::kAdded;
    file.path = *relative;
    file.new_text = edit.text.value_or("");
    file.rewrite = true;
    count(file, edit);
  }

  void plan_delete(const FilePatch& section, PlannedFile& file) {
    std::string shown;
    auto relative = claim(section.path, shown);
    if (!relative) return;
    const Need need = section.hunks.empty() ? Need::kBytes : Need::kText;
    if (!open_existing(*relative, shown, need, file.dir, file.name, file.status, file.old_text)) {
      return;
    }
    file.change = Change::kDeleted;
    file.path = *relative;
    file.lines_removed = line_count(file.old_text);
    if (section.hunks.empty()) return;
    auto edit = match(shown, file.old_text);
    if (!edit) return;
    if (!edit->text->empty()) {
      fail(shown, Failure::kContextNotFound,
           "the file has " + std::to_string(line_count(*edit->text)) +
               " more line(s) than the patch deletes; a deletion must remove the whole content "
               "(or use '*** Delete File').");
      return;
    }
    count(file, *edit);
  }

  void plan_update(const FilePatch& section, PlannedFile& file) {
    std::string shown, destination_shown;
    auto relative = claim(section.path, shown);
    if (!relative) return;
    std::optional<std::string> destination;
    if (section.move_to) {
      destination = claim(*section.move_to, destination_shown);
      if (!destination) return;
    }
    const Need need = section.hunks.empty() ? Need::kStatus : Need::kText;
    if (destination) {
      if (!open_existing(*relative, shown, need, file.from_dir, file.from_name, file.status,
                         file.old_text) ||
          !prepare_new(*destination, destination_shown, file.dir, file.name)) {
        return;
      }
      file.change = Change::kMoved;
      file.path = *destination;
      file.from = *relative;
    } else {
      if (!open_existing(*relative, shown, need, file.dir, file.name, file.status, file.old_text)) {
        return;
      }
      file.change = Change::kUpdated;
      file.path = *relative;
    }
    if (section.hunks.empty()) return;
    auto edit = match(shown, file.old_text);
    if (!edit) return;
    file.new_text = std::move(*edit->text);
    file.rewrite = file.new_text != file.old_text;
    count(file, *edit);
  }

  const Workspace& workspace_;
  const PatchLimits& limits_;
  PatchPlan& plan_;
  const FilePatch* section_ = nullptr;
  std::map<std::string, size_t> claimed_;  // relative path -> patch line of its section
  std::set<std::pair<dev_t, ino_t>> inodes_;
  size_t bytes_read_ = 0;
};

// What commit_patch has done so far, so that it can be undone.
class Journal {
 public:
  explicit Journal(const Workspace& workspace) : workspace_(workspace) {}

  int keep(UniqueFd fd) {
    kept_.push_back(std::move(fd));
    return kept_.back().get();
  }

  void created(int dir, const std::string& name, const std::string& shown) {
    entries_.push_back({Kind::kCreated, dir, name, shown});
  }
  void replaced(int dir, const std::string& name, const std::string& shown,
                const PlannedFile& file) {
    entries_.push_back({Kind::kReplaced, dir, name, shown, &file});
  }
  void removed(int dir, const std::string& name, const std::string& shown,
               const PlannedFile& file) {
    entries_.push_back({Kind::kRemoved, dir, name, shown, &file});
  }
  void renamed(const PlannedFile& file, int to_dir, const std::string& shown) {
    entries_.push_back({Kind::kRenamed, to_dir, file.name, shown, &file});
  }
  void made_directory(std::string relative) {
    entries_.push_back({Kind::kMadeDirectory, -1, std::move(relative), {}});
  }
  bool empty() const { return entries_.empty(); }

  // Undoes every step, last first; returns the files that could not be put back, with why.
  std::vector<std::string> undo() {
    std::vector<std::string> left;
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
      if (auto status = undo(*it); !status)
        left.push_back(it->shown + " (" + status.error().message + ")");
    }
    entries_.clear();
    return left;
  }

 private:
  enum class Kind { kCreated, kReplaced, kRemoved, kRenamed, kMadeDirectory };
  struct Entry {
    Kind kind;
    int dir;
    std::string name;
    std::string shown;
    const PlannedFile* file = nullptr;
  };

  Status undo(const Entry& entry) {
    switch (entry.kind) {
      case Kind::kCreated:
        if (::unlinkat(entry.dir, entry.name.c_str(), 0) != 0 && errno != ENOENT) {
          return path_error(entry.shown, errno);
        }
        return {};
      case Kind::kReplaced:
      case Kind::kRemoved: {
        AtomicWriteOptions options;
        options.existing = &entry.file->status;
        options.no_replace = entry.kind == Kind::kRemoved;
        auto written =
            write_file_atomic(entry.dir, entry.name, entry.shown, entry.file->old_text, options);
        if (!written) return written.take_error();
        return {};
      }
      case Kind::kRenamed:
        if (::renameat2(entry.dir, entry.name.c_str(), entry.file->from_dir.get(),
                        entry.file->from_name.c_str(), RENAME_NOREPLACE) != 0) {
          return path_error(entry.shown, errno);
        }
        return {};
      case Kind::kMadeDirectory:
        // Removed only while empty; one left behind holds nothing of the patch's.
        if (auto parent = workspace_.open_parent(entry.name)) {
          ::unlinkat(parent->first.get(), parent->second.c_str(), AT_REMOVEDIR);
        }
        return {};
    }
    return {};
  }

  const Workspace& workspace_;
  std::vector<UniqueFd> kept_;
  std::vector<Entry> entries_;
};

Status check_unchanged(int dir, const std::string& name, const struct stat& as_read,
                       const std::string& shown) {
  struct stat now {};
  if (::fstatat(dir, name.c_str(), &now, AT_SYMLINK_NOFOLLOW) != 0 ||
      !same_file_version(now, as_read)) {
    return Error::make(shown + " was changed by someone else since the patch read it", "conflict");
  }
  return {};
}

// The directory of a new file, made (with every missing one above it) when it does not exist.
Result<int> directory_for(const Workspace& workspace, const PlannedFile& file, Journal& journal) {
  if (file.dir) return file.dir.get();
  std::vector<std::string_view> missing;
  for (std::string_view up = parent_of(file.path); !up.empty(); up = parent_of(up)) {
    if (workspace.stat_at(up, /*follow_final_symlink=*/true)) break;
    missing.push_back(up);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it)
    journal.made_directory(std::string(*it));
  auto parent = workspace.open_parent(file.path, /*create_missing=*/true);
  if (!parent) return parent.take_error();
  return journal.keep(std::move(parent->first));
}

Status write_new(int dir, const PlannedFile& file, const std::string& shown, Journal& journal) {
  AtomicWriteOptions options;
  options.no_replace = true;
  auto written = write_file_atomic(dir, file.name, shown, file.new_text, options);
  if (!written) return written.take_error();
  journal.created(dir, file.name, shown);
  return {};
}

Status rewrite(int dir, const PlannedFile& file, const std::string& shown, Journal& journal) {
  AtomicWriteOptions options;
  options.existing = &file.status;
  options.unchanged_since = &file.status;
  auto written = write_file_atomic(dir, file.name, shown, file.new_text, options);
  if (!written) return written.take_error();
  journal.replaced(dir, file.name, shown, file);
  return {};
}

Status commit_file(const Workspace& workspace, const PlannedFile& file, Journal& journal) {
  const std::string shown = escape_path(file.path);
  switch (file.change) {
    case Change::kAdded: {
      auto dir = directory_for(workspace, file, journal);
      if (!dir) return dir.take_error();
      return write_new(*dir, file, shown, journal);
    }
    case Change::kUpdated:
      return file.rewrite ? rewrite(file.dir.get(), file, shown, journal) : Status();
    case Change::kDeleted: {
      if (auto status = check_unchanged(file.dir.get(), file.name, file.status, shown); !status) {
        return status;
      }
      if (::unlinkat(file.dir.get(), file.name.c_str(), 0) != 0) return path_error(shown, errno);
      journal.removed(file.dir.get(), file.name, shown, file);
      return {};
    }
    case Change::kMoved: {
      const std::string from = escape_path(file.from.value_or(""));
      if (auto status = check_unchanged(file.from_dir.get(), file.from_name, file.status, from);
          !status) {
        return status;
      }
      auto dir = directory_for(workspace, file, journal);
      if (!dir) return dir.take_error();
      // rename never follows a symlink at either end; NOREPLACE keeps what appeared meanwhile.
      if (::renameat2(file.from_dir.get(), file.from_name.c_str(), *dir, file.name.c_str(),
                      RENAME_NOREPLACE) != 0) {
        return path_error(from + " -> " + shown, errno);
      }
      journal.renamed(file, *dir, shown);
      return file.rewrite ? rewrite(*dir, file, shown, journal) : Status();
    }
  }
  return {};
}

}  // namespace

PatchPlan plan_patch(const Workspace& workspace, const Patch& patch, const PatchLimits& limits) {
  PatchPlan plan;
  if (patch.files.size() > limits.max_files) {
    plan.failures.push_back({"", 0, "", 1, Failure::kRefused,
                             "the patch changes " + std::to_string(patch.files.size()) +
                                 " files; at most " + std::to_string(limits.max_files) +
                                 " are allowed in one patch. Split it."});
    return plan;
  }
  Planner planner(workspace, limits, plan);
  for (const FilePatch& section : patch.files) planner.add(section);
  if (!plan.ok()) plan.files.clear();
  return plan;
}

Status commit_patch(const Workspace& workspace, PatchPlan& plan) {
  Journal journal(workspace);
  for (const PlannedFile& file : plan.files) {
    auto status = commit_file(workspace, file, journal);
    if (status) continue;
    Error error = status.take_error();
    const bool wrote = !journal.empty();
    const auto left = journal.undo();
    std::string message = sentence(error.message);
    if (left.empty()) {
      message += wrote ? " What the patch had already written was put back: no file is changed."
                       : " No file is changed.";
    } else {
      message += " Putting back what the patch had already written failed for:";
      for (const std::string& file_left : left) message += " " + file_left + ";";
      message += " those files are left as the patch made them.";
    }
    return Error::make(std::move(message), error.code);
  }
  return {};
}

}  // namespace benchtop::patch
