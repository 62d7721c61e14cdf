// A temporary directory tree for the search tests: created fresh per test, removed afterwards
// (std::filesystem::remove_all does not follow symlinks, so planted links cannot widen it).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "tests/support/temp_dir.h"

namespace benchtop::testing {

class TempTree {
 public:
  const std::filesystem::path& root() const { return dir_.path(); }

  void write(std::string_view relative, std::string_view contents) const {
    write_file(root() / relative, std::string(contents));
  }
  void mkdir(std::string_view relative) const {
    std::filesystem::create_directories(root() / relative);
  }
  void symlink(const std::filesystem::path& target, std::string_view relative) const {
    std::filesystem::create_directories((root() / relative).parent_path());
    std::filesystem::create_symlink(target, root() / relative);
  }

 private:
  TempDir dir_;
};

}  // namespace benchtop::testing
