#include "server/code/check/diagnostic.h"

#include "common/parse_number.h"

namespace benchtop::code_check {

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  return "error";
}

std::string relative_file(std::string_view file, std::string_view host_root) {
  // The sandbox mounts the workspace at /workspace; a host run names the real directory.
  for (std::string_view root : {std::string_view("/workspace"), host_root}) {
    if (root.empty()) continue;
    if (file.starts_with(root) && file.size() > root.size() && file[root.size()] == '/') {
      file.remove_prefix(root.size() + 1);
      break;
    }
  }
  while (file.starts_with("./")) file.remove_prefix(2);
  return std::string(file);
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

uint64_t parse_position(std::string_view text) {
  return parse_integer<uint64_t>(text).value_or(0);
}

}  // namespace benchtop::code_check
