// A multi-file patch as parsed, whatever form it came in: a unified diff (`git diff`, `diff -u`)
// or the "*** Begin Patch" envelope coding agents write. Parsing is pure: nothing here touches
// the file system (patch_apply.h does, through the workspace guard).
#pragma once

#include <boost/describe/enum.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace benchtop::patch {

enum class Format : uint8_t { kUnifiedDiff, kEnvelope };

struct HunkLine {
  char kind = ' ';   // ' ' context, '-' removed, '+' added
  std::string text;  // without the prefix and the '\n'; a '\r' before the '\n' is kept
};

struct Hunk {
  std::string header;     // the "@@" line as written; "" for an envelope hunk that has none
  size_t patch_line = 0;  // 1-based line of the patch where the hunk starts
  std::vector<HunkLine> lines;
  // Envelope "@@ text" lines: each names a line of the file (compared without surrounding
  // whitespace) that comes, in this order, before the hunk's lines.
  std::vector<std::string> anchors;
  // The 1-based line where the old side starts, from "@@ -start,count ...": for an old side
  // without lines, the line after which the new lines go. A hint, not a requirement.
  std::optional<size_t> old_start;
  bool old_missing_newline = false;  // "\ No newline at end of file" after an old-side line
  bool new_missing_newline = false;  // ... after a new-side line
  bool at_end_of_file = false;       // the old lines must be the file's last ones
};

enum class FileAction : uint8_t { kAdd, kUpdate, kDelete };

struct FilePatch {
  FileAction action = FileAction::kUpdate;
  std::string path;                    // as the patch names it ("a/" and "b/" prefixes removed)
  std::optional<std::string> move_to;  // kUpdate: the file's new path
  // kAdd: the content as one hunk of added lines (none for an empty file). kDelete: the whole old
  // content as removed lines, or no hunk (the envelope's Delete File).
  std::vector<Hunk> hunks;
  size_t patch_line = 0;  // 1-based line of the section's first header line
};

struct Patch {
  Format format = Format::kUnifiedDiff;
  std::vector<FilePatch> files;
};

inline constexpr size_t kMaxPatchBytes = 4 * 1024 * 1024;

// Reads either form: the envelope when the first non-blank line is "*** Begin Patch", a unified
// diff otherwise. A surrounding Markdown code fence is ignored, and so is text before a unified
// diff's first file header (a commit message). Malformed input is an error naming the patch line
// and what to write instead (code "invalid_patch"); more than kMaxPatchBytes is refused (code
// "too_large").
Result<Patch> parse_patch(std::string_view text);

// What applying a file section does, as results report it.
enum class Change : uint8_t { kAdded, kUpdated, kDeleted, kMoved };
BOOST_DESCRIBE_ENUM(Change, kAdded, kUpdated, kDeleted, kMoved)
std::string_view to_string(Change change);  // "added", "updated", "deleted", "moved"

// Why a hunk or a whole file section does not apply.
enum class Failure : uint8_t {
  kContextNotFound,  // the hunk's context and removed lines are not in the file
  kAmbiguous,        // they are, at several places, and nothing says which
  kFileMissing,      // the file to update, delete or move does not exist
  kFileExists,       // the file to add (or a move's destination) already exists
  kRefused,          // a path the patch may not touch: outside, a symlink, binary, too large...
  kIoError,          // reading failed
};
BOOST_DESCRIBE_ENUM(Failure, kContextNotFound, kAmbiguous, kFileMissing, kFileExists, kRefused,
                    kIoError)
// "context_not_found", "ambiguous", "file_missing", "file_exists", "refused", "io_error"
std::string_view to_string(Failure failure);

}  // namespace benchtop::patch
