// Comparison of secrets (tokens, MACs) whose time does not depend on where they first differ, so
// response times do not reveal how much of a guess was right. Lengths are not secret here: every
// value compared has a fixed format.
#pragma once

#include <cstddef>
#include <string_view>

namespace benchtop {

inline bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  volatile unsigned char difference = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    difference = difference | static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return difference == 0;
}

}  // namespace benchtop
