// A directory of its own under the system's temporary directory, removed with everything in it
// when the object goes. `benchtop tools` builds its services on one, so printing the tool list
// neither creates the user's data directory nor touches the sandboxes a running server owns.
#pragma once

#include <filesystem>

#include "common/result.h"

namespace benchtop {

class ScratchDirectory {
 public:
  static Result<ScratchDirectory> create(const std::string& prefix);
  ScratchDirectory(ScratchDirectory&& other) noexcept;
  ScratchDirectory& operator=(ScratchDirectory&&) = delete;
  ScratchDirectory(const ScratchDirectory&) = delete;
  ~ScratchDirectory();

  const std::filesystem::path& path() const { return path_; }

 private:
  explicit ScratchDirectory(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;  // empty once moved from
};

}  // namespace benchtop
