#include "server/storage/checkpoint_repository.h"

namespace benchtop {

std::string_view to_string(FileVersion::Kind kind) {
  switch (kind) {
    case FileVersion::Kind::kAbsent:
      return "absent";
    case FileVersion::Kind::kFile:
      return "file";
    case FileVersion::Kind::kSymlink:
      return "symlink";
    case FileVersion::Kind::kDirectory:
      return "directory";
  }
  return "absent";
}

std::optional<FileVersion::Kind> file_kind_from_string(std::string_view text) {
  for (auto kind : {FileVersion::Kind::kAbsent, FileVersion::Kind::kFile,
                    FileVersion::Kind::kSymlink, FileVersion::Kind::kDirectory}) {
    if (to_string(kind) == text) return kind;
  }
  return std::nullopt;
}

}  // namespace benchtop
