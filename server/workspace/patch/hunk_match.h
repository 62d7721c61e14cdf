// Applying one file's hunks to its text, in memory, without fuzz.
//
// A hunk's old lines (context and removed, in order) must stand in the file exactly as written:
// no whitespace is ignored and no line may be missing. Only the line end is not compared, so a
// patch written with "\n" applies to a file with "\r\n" and the file keeps its own line ends
// (added lines get the line end most of the file uses). Where a hunk goes:
//   - hunks apply in file order and never overlap: each is looked for after the previous one;
//   - the envelope's "@@ <line>" anchors are found first, each after the one before (compared
//     without surrounding whitespace), and the hunk goes at the first match after the last one;
//   - with a line number (a unified diff's "@@ -l,n"), a match at that line, moved by as much as
//     the file's earlier hunks moved, is taken;
//   - otherwise the old lines must occur exactly once in the rest of the file. A block that occurs
//     several times is refused as ambiguous rather than guessed: the report lists where, and more
//     context (or an anchor) settles it;
//   - "*** End of File" or "\ No newline at end of file" puts the old lines at the end of the file;
//   - a hunk without old lines adds at its line number, after its anchor, or else at the end.
// The file's last line keeps or lacks its newline as before, unless a "\ No newline at end of
// file" marker says otherwise.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/workspace/patch/patch.h"

namespace benchtop::patch {

struct HunkOutcome {
  bool applied = false;
  Failure reason = Failure::kContextNotFound;  // when not applied
  std::string message;                         // why not, and what to do about it
  size_t line = 0;                             // applied: 1-based line of the file where it went
};

struct FileEdit {
  std::optional<std::string> text;  // the new content, when every hunk applied
  std::vector<HunkOutcome> hunks;   // one per hunk, in order
  size_t lines_added = 0;
  size_t lines_removed = 0;
};

// Every hunk is tried, so that the outcome names each one that does not apply.
FileEdit apply_hunks(std::string_view original, const std::vector<Hunk>& hunks);

}  // namespace benchtop::patch
