// What a directory entry is, as listings and walks name it.
#pragma once

#include <sys/stat.h>

#include <boost/describe/enum.hpp>
#include <cstdint>
#include <string_view>

namespace benchtop {

enum class EntryType : uint8_t { kFile, kDirectory, kSymlink, kOther };
BOOST_DESCRIBE_ENUM(EntryType, kFile, kDirectory, kSymlink, kOther)

std::string_view to_string(EntryType type);  // "file", "directory", "symlink", "other"
EntryType entry_type(mode_t mode);           // from st_mode, as lstat reports it

}  // namespace benchtop
