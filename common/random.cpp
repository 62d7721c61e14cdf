#include "common/random.h"

#include <sys/random.h>

#include <cerrno>
#include <system_error>

namespace benchtop {

void fill_random(void* out, size_t size) {
  auto* bytes = static_cast<unsigned char*>(out);
  size_t filled = 0;
  while (filled < size) {
    // Flags 0: block only until the pool is first initialised, then never; reads of up to 256
    // bytes are not interrupted by signals after that, but EINTR is retried anyway.
    const ssize_t got = ::getrandom(bytes + filled, size - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    filled += static_cast<size_t>(got);
  }
}

std::string random_bytes(size_t size) {
  std::string bytes(size, '\0');
  fill_random(bytes.data(), size);
  return bytes;
}

std::string random_hex(size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned char byte : random_bytes(size)) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 15]);
  }
  return hex;
}

}  // namespace benchtop
