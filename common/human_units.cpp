#include "common/human_units.h"

namespace benchtop {

std::string human_bytes(uint64_t bytes) {
  constexpr uint64_t kKiB = 1024;
  if (bytes < kKiB) return std::to_string(bytes) + " bytes";
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  size_t unit = 0;
  uint64_t scale = kKiB;
  while (unit + 1 < std::size(kUnits) && bytes / scale >= kKiB) {
    scale *= kKiB;
    ++unit;
  }
  // Tenths of the unit, rounded half up; in 128 bits so that the largest counts cannot overflow.
  uint64_t tenths =
      static_cast<uint64_t>((static_cast<unsigned __int128>(bytes) * 10 + scale / 2) / scale);
  // Rounding up can reach the next unit (1023.96 KiB is 1 MiB, not 1024.0 KiB).
  if (tenths >= kKiB * 10 && unit + 1 < std::size(kUnits)) {
    ++unit;
    scale *= kKiB;
    tenths =
        static_cast<uint64_t>((static_cast<unsigned __int128>(bytes) * 10 + scale / 2) / scale);
  }
  std::string text = std::to_string(tenths / 10);
  if (tenths % 10 != 0) text += "." + std::to_string(tenths % 10);
  return text + " " + kUnits[unit];
}

}  // namespace benchtop
