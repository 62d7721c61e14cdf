// The last N bytes a background process wrote, addressed by absolute offsets (every byte the
// process ever wrote counts), so readers can page with "since offset X" and learn how much was
// lost between their last read and what the ring still holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace benchtop::supervisor {

class OutputRing {
 public:
  explicit OutputRing(size_t capacity);

  void append(std::string_view bytes);

  // Bytes ever appended, and the offset of the oldest byte still held.
  uint64_t total() const { return total_; }
  uint64_t first() const { return total_ - held(); }

  struct Slice {
    std::string data;
    uint64_t start = 0;    // offset of data[0]
    uint64_t next = 0;     // offset after the last byte returned
    uint64_t dropped = 0;  // bytes between the offset asked for and `start` that were overwritten
  };
  // From `since` (clamped to what is held), at most `max` bytes.
  Slice since(uint64_t since, size_t max) const;
  // The first `max` of the last `count` bytes.
  Slice tail(uint64_t count, size_t max) const;

 private:
  size_t held() const;

  size_t capacity_;
  // Byte at offset o lives at buffer_[o % capacity_]. The buffer grows to capacity_ only as
  // output arrives, so a quiet process costs little; until it wraps, o % capacity_ == o, so
  // growing never moves a byte.
  std::vector<char> buffer_;
  uint64_t total_ = 0;
};

}  // namespace benchtop::supervisor
