// The instructions a project gives the agents that work on it: AGENTS.md (the convention Codex,
// Cursor and others read) and CLAUDE.md, at the workspace root. They are project content, so they
// are read through the workspace guard, only as regular files (a FIFO or a link out of the
// workspace is not opened), and cut at a size a prompt can carry.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "server/workspace/workspace.h"

namespace benchtop {

inline constexpr std::array<const char*, 2> kInstructionFiles = {"AGENTS.md", "CLAUDE.md"};
inline constexpr size_t kMaxInstructionBytes = 32 * 1024;

struct ProjectInstructions {
  std::string file;  // "AGENTS.md" or "CLAUDE.md"
  std::string text;  // valid UTF-8, at most kMaxInstructionBytes
  bool truncated = false;
};

// Those of kInstructionFiles the workspace has, in that order. A file that cannot be read is left
// out (the model can still try fs_read on it and see why).
std::vector<ProjectInstructions> read_project_instructions(const Workspace& workspace);

// Which of kInstructionFiles exist as regular files, without reading them.
std::vector<std::string> instruction_files_present(const Workspace& workspace);

// The instructions as a block for a system prompt, marked as the project's own words; empty when
// there are none.
std::string instructions_prompt(const std::vector<ProjectInstructions>& instructions);

}  // namespace benchtop
