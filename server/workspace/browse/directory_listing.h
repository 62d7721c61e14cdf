// Lists a directory of a workspace, one level or several, for every reader of a project's tree:
// the fs_list tool and the chat page's file tree get the same entries, limits and escaping.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "server/workspace/entry_type.h"

namespace benchtop {

class Workspace;

struct DirectoryEntry {
  std::string path;  // workspace-relative, escaped for display (see path_escape.h)
  EntryType type = EntryType::kOther;
  std::optional<int64_t> size;        // bytes; absent for a directory
  std::optional<std::string> target;  // a symlink's target text, escaped
};

struct DirectoryListing {
  std::vector<DirectoryEntry> entries;  // depth first, each directory's entries sorted by name
  bool truncated = false;               // stopped at ListOptions::max_entries
};

struct ListOptions {
  static constexpr int kMaxDepth = 10;
  int depth = 1;  // 1 = the directory's own entries; clamped to [1, kMaxDepth]
  bool include_hidden = false;
  size_t max_entries = 1000;
  std::function<bool()> cancelled;  // polled between entries; may be empty
};

// Lists `relative` (a Workspace::relative_path result; "" is the root). Symlinks are listed, never
// entered; an entry that vanishes or cannot be opened meanwhile is skipped or listed unentered.
// Errors: the guard's codes for `relative` ("not_directory" for a file), "cancelled".
Result<DirectoryListing> list_directory(const Workspace& workspace, const std::string& relative,
                                        const ListOptions& options);

nlohmann::json to_json(const DirectoryEntry& entry);

}  // namespace benchtop
