#include "server/checkpoints/blob_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "common/random.h"
#include "common/unique_fd.h"

namespace benchtop {

namespace {

bool valid_name(std::string_view name) {
  if (name.size() != 64) return false;
  for (char c : name) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return Error::make(std::string("checkpoint store: ") + std::strerror(errno), "io_error");
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return {};
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, 32> digest{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

std::filesystem::path BlobStore::path_of(std::string_view name) const {
  return directory_ / std::string(name.substr(0, 2)) / std::string(name.substr(2));
}

Result<std::string> BlobStore::put(std::string_view bytes) {
  std::string name = sha256_hex(bytes);
  const auto target = path_of(name);
  if (contains(name)) {
    // Touched, so that a collection running now in another process sees it as just written.
    ::utimensat(AT_FDCWD, target.c_str(), nullptr, 0);
    return name;
  }
  std::error_code error;
  std::filesystem::create_directories(target.parent_path(), error);
  if (error) {
    return Error::make(
        "checkpoint store: cannot create " + target.parent_path().string() + ": " + error.message(),
        "io_error");
  }
  const auto temporary = target.parent_path() / ("." + random_hex(8) + ".tmp");
  UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) {
    return Error::make(
        "checkpoint store: cannot write " + temporary.string() + ": " + std::strerror(errno),
        "io_error");
  }
  auto written = write_all(fd.get(), bytes);
  fd.reset();
  if (!written || ::rename(temporary.c_str(), target.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    if (!written) return written.take_error();
    return Error::make("checkpoint store: " + std::string(std::strerror(saved)), "io_error");
  }
  return name;
}

Result<std::string> BlobStore::get(std::string_view name) const {
  if (!valid_name(name))
    return Error::make("no kept content named '" + std::string(name) + "'", "not_found");
  UniqueFd fd(::open(path_of(name).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    return Error::make("the content " + std::string(name.substr(0, 12)) + " is no longer kept",
                       "not_found");
  }
  std::string bytes;
  std::array<char, 65536> buffer;
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      return Error::make(std::string("checkpoint store: ") + std::strerror(errno), "io_error");
    }
    if (got == 0) break;
    bytes.append(buffer.data(), static_cast<size_t>(got));
  }
  return bytes;
}

bool BlobStore::contains(std::string_view name) const {
  if (!valid_name(name)) return false;
  return ::access(path_of(name).c_str(), F_OK) == 0;
}

uint64_t BlobStore::total_bytes() const {
  uint64_t total = 0;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(directory_, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    std::error_code size_error;
    if (it->is_regular_file(size_error)) total += it->file_size(size_error);
  }
  return total;
}

uint64_t BlobStore::remove_all_but(const std::set<std::string>& keep, std::chrono::seconds grace) {
  uint64_t freed = 0;
  std::error_code error;
  for (auto shard = std::filesystem::directory_iterator(directory_, error);
       !error && shard != std::filesystem::directory_iterator(); shard.increment(error)) {
    const std::string prefix = shard->path().filename().string();
    std::error_code inner;
    for (auto blob = std::filesystem::directory_iterator(shard->path(), inner);
         !inner && blob != std::filesystem::directory_iterator(); blob.increment(inner)) {
      const std::string name = prefix + blob->path().filename().string();
      // Temporary files of a write in progress start with '.' and are never named here.
      if (!valid_name(name) || keep.count(name)) continue;
      std::error_code size_error;
      const auto written = blob->last_write_time(size_error);
      if (size_error || std::filesystem::file_time_type::clock::now() - written < grace) {
        continue;
      }
      const uint64_t size = blob->file_size(size_error);
      if (std::filesystem::remove(blob->path(), size_error)) freed += size;
    }
  }
  return freed;
}

}  // namespace benchtop
