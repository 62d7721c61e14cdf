#include "server/sandbox/supervisor/output_ring.h"

#include <algorithm>

namespace benchtop::supervisor {

OutputRing::OutputRing(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

size_t OutputRing::held() const {
  return static_cast<size_t>(std::min<uint64_t>(total_, capacity_));
}

void OutputRing::append(std::string_view bytes) {
  if (bytes.empty()) return;
  const uint64_t needed = std::min<uint64_t>(total_ + bytes.size(), capacity_);
  if (buffer_.size() < needed) {
    buffer_.resize(std::min<size_t>(capacity_, std::max<size_t>(needed, buffer_.size() * 2)));
  }
  // Only the last capacity_ bytes of a large write can survive it.
  const size_t skip = bytes.size() > capacity_ ? bytes.size() - capacity_ : 0;
  uint64_t offset = total_ + skip;
  for (size_t i = skip; i < bytes.size();) {
    const size_t at = static_cast<size_t>(offset % capacity_);
    const size_t run = std::min(bytes.size() - i, capacity_ - at);
    std::copy_n(bytes.data() + i, run, buffer_.data() + at);
    i += run;
    offset += run;
  }
  total_ += bytes.size();
}

OutputRing::Slice OutputRing::since(uint64_t since, size_t max) const {
  Slice slice;
  const uint64_t oldest = first();
  if (since > total_) since = total_;
  if (since < oldest) {
    slice.dropped = oldest - since;
    since = oldest;
  }
  slice.start = since;
  const size_t count = static_cast<size_t>(std::min<uint64_t>(total_ - since, max));
  slice.data.reserve(count);
  for (uint64_t offset = since; offset < since + count;) {
    const size_t at = static_cast<size_t>(offset % capacity_);
    const size_t run =
        static_cast<size_t>(std::min<uint64_t>(since + count - offset, capacity_ - at));
    slice.data.append(buffer_.data() + at, run);
    offset += run;
  }
  slice.next = since + count;
  return slice;
}

OutputRing::Slice OutputRing::tail(uint64_t count, size_t max) const {
  // Asking for more than is held is not a loss: the caller asked for "the end", not an offset.
  const uint64_t from = std::max(first(), total_ > count ? total_ - count : 0);
  return since(from, max);
}

}  // namespace benchtop::supervisor
