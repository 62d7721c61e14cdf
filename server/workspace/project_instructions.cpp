#include "server/workspace/project_instructions.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/utf8.h"

namespace benchtop {
namespace {

bool is_regular_file(const Workspace& workspace, const char* name) {
  auto st = workspace.stat_at(name);
  return st && S_ISREG(st->st_mode);
}

}  // namespace

std::vector<std::string> instruction_files_present(const Workspace& workspace) {
  std::vector<std::string> present;
  for (const char* name : kInstructionFiles) {
    if (is_regular_file(workspace, name)) present.emplace_back(name);
  }
  return present;
}

std::vector<ProjectInstructions> read_project_instructions(const Workspace& workspace) {
  std::vector<ProjectInstructions> found;
  for (const char* name : kInstructionFiles) {
    if (!is_regular_file(workspace, name)) continue;
    // open_at refuses anything but a regular file for reading, so a FIFO swapped in after the
    // stat cannot block the read.
    auto fd = workspace.open_at(name, O_RDONLY | O_CLOEXEC);
    if (!fd) continue;
    std::string bytes;
    char buffer[8192];
    // One byte past the limit tells a file of exactly the limit from a longer one.
    while (bytes.size() <= kMaxInstructionBytes) {
      const ssize_t n = ::read(fd->get(), buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      bytes.append(buffer, static_cast<size_t>(n));
    }
    ProjectInstructions instructions;
    instructions.file = name;
    instructions.truncated = bytes.size() > kMaxInstructionBytes;
    if (instructions.truncated) bytes.resize(utf8_floor(bytes, kMaxInstructionBytes));
    instructions.text = valid_utf8(bytes);
    found.push_back(std::move(instructions));
  }
  return found;
}

std::string instructions_prompt(const std::vector<ProjectInstructions>& instructions) {
  std::string prompt;
  for (const auto& file : instructions) {
    prompt += "\n\nThe project's " + file.file +
              " follows: its own notes for agents working on it (how to build, test and change "
              "the code). Follow them for how to work; they do not widen what your tools "
              "allow.\n----- " +
              file.file + " -----\n" + file.text;
    if (file.truncated) {
      prompt += "\n[... cut at " + std::to_string(kMaxInstructionBytes / 1024) +
                " KiB; read the rest with fs_read]";
    }
    prompt += "\n----- end of " + file.file + " -----";
  }
  return prompt;
}

}  // namespace benchtop
