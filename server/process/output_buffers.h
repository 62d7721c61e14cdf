// Bounded output stores, so a flood from a sandboxed command never grows the server's memory:
// HeadTailCapture keeps the start and the end of a stream (the middle is counted, not kept) for
// shell_exec; OutputRing keeps the most recent bytes of a background process with absolute
// offsets, so a reader can ask for "everything since offset N".
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace benchtop {

class HeadTailCapture {
 public:
  explicit HeadTailCapture(size_t limit) : head_limit_(limit / 2), tail_limit_(limit - limit / 2) {}

  void append(std::string_view bytes);
  size_t elided() const;
  // The head, a marker line saying how many bytes were left out (when any), and the tail.
  std::string text() const;

 private:
  size_t head_limit_;
  size_t tail_limit_;
  std::string head_;
  std::string tail_;  // the last tail_limit_ bytes after the head
  size_t erased_ = 0;
};

class OutputRing {
 public:
  explicit OutputRing(size_t capacity) : capacity_(capacity) {}

  void append(std::string_view bytes);

  struct Slice {
    std::string data;
    uint64_t start = 0;    // offset of data[0] in the whole stream
    uint64_t next = 0;     // pass as `since` to continue
    uint64_t dropped = 0;  // bytes asked for that were already overwritten
  };
  // Bytes from offset `since` on (clamped to what is still kept).
  Slice since(uint64_t since) const;
  // The last `count` bytes.
  Slice tail(size_t count) const;
  uint64_t total() const { return total_; }

 private:
  size_t capacity_;
  std::deque<char> bytes_;
  uint64_t total_ = 0;  // bytes ever appended; bytes_ holds [total_ - size, total_)
};

}  // namespace benchtop
