// Patches (fs_apply_patch's parser and matcher). Any input: parsing never crashes, and applying
// what parses, to the empty text and to the input itself, never crashes either. An input with a
// NUL byte is two texts, old and new: the unified diff of them must parse and, applied to the old
// text, give the new one (for texts without '\r', whose line ends the matcher normalises).
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_input.h"
#include "server/workspace/changes/unified_diff.h"
#include "server/workspace/patch/hunk_match.h"
#include "server/workspace/patch/patch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace benchtop;
  const std::string_view input = fuzz::as_text(data, size);
  if (input.find('\0') == std::string_view::npos) {
    auto parsed = patch::parse_patch(input);
    if (!parsed) {
      if (parsed.error().message.empty()) std::abort();
      return 0;
    }
    if (parsed->files.empty()) std::abort();
    for (const patch::FilePatch& file : parsed->files) {
      if (file.path.empty()) std::abort();
      for (std::string_view text : {std::string_view(), input}) {
        const patch::FileEdit edit = patch::apply_hunks(text, file.hunks);
        if (edit.hunks.size() != file.hunks.size()) std::abort();
        for (const auto& hunk : edit.hunks) {
          if (hunk.applied != hunk.message.empty()) std::abort();
        }
      }
    }
    return 0;
  }
  const auto [old_text, new_text] = fuzz::split_at_nul(input);
  if (old_text.find('\r') != std::string_view::npos ||
      new_text.find('\r') != std::string_view::npos) {
    return 0;
  }
  const UnifiedDiff diff = unified_diff(old_text, new_text, "f");
  if (diff.text.empty()) return 0;
  auto parsed = patch::parse_patch(diff.text);
  if (!parsed || parsed->files.size() != 1 || parsed->files[0].path != "f") std::abort();
  const patch::FileEdit edit = patch::apply_hunks(old_text, parsed->files[0].hunks);
  if (!edit.text || *edit.text != new_text) std::abort();
  if (edit.lines_added != diff.lines_added || edit.lines_removed != diff.lines_removed) {
    std::abort();
  }
  return 0;
}
