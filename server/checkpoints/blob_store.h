// The contents checkpoints keep: files named by the SHA-256 of their bytes, in a directory of the
// data directory (never the workspace), so a version kept by many checkpoints is stored once.
// Writers in several benchtop processes may share a store: a blob is written to a temporary file
// and renamed into place, so a reader sees it whole or not at all.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>

#include "common/result.h"

namespace benchtop {

// The lowercase hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

class BlobStore {
 public:
  explicit BlobStore(std::filesystem::path directory) : directory_(std::move(directory)) {}

  const std::filesystem::path& directory() const { return directory_; }

  // Keeps `bytes` and returns their name (sha256_hex), writing nothing when already kept.
  Result<std::string> put(std::string_view bytes);
  // The bytes named `name` (code "not_found" when the store does not have them).
  Result<std::string> get(std::string_view name) const;
  bool contains(std::string_view name) const;

  // Bytes of all blobs kept.
  uint64_t total_bytes() const;
  // Deletes every blob not named in `keep` and not written (or put again) within `grace`: such a
  // blob may belong to a checkpoint another process is about to store. Returns the bytes freed.
  uint64_t remove_all_but(const std::set<std::string>& keep,
                          std::chrono::seconds grace = std::chrono::seconds(60));

 private:
  std::filesystem::path path_of(std::string_view name) const;

  std::filesystem::path directory_;
};

}  // namespace benchtop
