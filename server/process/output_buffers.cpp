#include "server/process/output_buffers.h"

#include <algorithm>

namespace benchtop {

void HeadTailCapture::append(std::string_view bytes) {
  if (head_.size() < head_limit_) {
    const size_t take = std::min(bytes.size(), head_limit_ - head_.size());
    head_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
  }
  if (bytes.empty()) return;
  tail_.append(bytes);
  // Trimmed only when twice the limit, so a stream of small writes is not quadratic; text()
  // shows just the last tail_limit_ bytes.
  if (tail_.size() > 2 * tail_limit_) {
    const size_t excess = tail_.size() - tail_limit_;
    erased_ += excess;
    tail_.erase(0, excess);
  }
}

size_t HeadTailCapture::elided() const {
  return erased_ + (tail_.size() > tail_limit_ ? tail_.size() - tail_limit_ : 0);
}

std::string HeadTailCapture::text() const {
  const size_t elided_bytes = elided();
  if (elided_bytes == 0) return head_ + tail_;
  return head_ + "\n[... " + std::to_string(elided_bytes) + " bytes elided ...]\n" +
         tail_.substr(tail_.size() - tail_limit_);
}

void OutputRing::append(std::string_view bytes) {
  total_ += bytes.size();
  if (bytes.size() >= capacity_) {
    bytes_.assign(bytes.end() - static_cast<std::ptrdiff_t>(capacity_), bytes.end());
    return;
  }
  const size_t overflow =
      bytes_.size() + bytes.size() > capacity_ ? bytes_.size() + bytes.size() - capacity_ : 0;
  bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(overflow));
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
}

OutputRing::Slice OutputRing::since(uint64_t since) const {
  const uint64_t first = total_ - bytes_.size();
  Slice slice;
  slice.next = total_;
  if (since > total_) since = total_;
  if (since < first) {
    slice.dropped = first - since;
    since = first;
  }
  slice.start = since;
  slice.data.assign(bytes_.begin() + static_cast<std::ptrdiff_t>(since - first), bytes_.end());
  return slice;
}

OutputRing::Slice OutputRing::tail(size_t count) const {
  const uint64_t from = total_ > count ? total_ - count : 0;
  Slice slice = since(from);
  slice.dropped = 0;
  return slice;
}

}  // namespace benchtop
