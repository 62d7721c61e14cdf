// Sizes for people and models to read: "512 MiB", "1.5 GiB", "3.2 KiB", "200 bytes".
//
// Text renderings of tool results show sizes this way; structuredContent keeps exact numbers, so
// nothing that computes with a size has to parse one of these.
#pragma once

#include <cstdint>
#include <string>

namespace benchtop {

// `bytes` in the largest binary unit (KiB, MiB, GiB, TiB, PiB, EiB) that keeps the number at
// least 1, with one decimal unless it is zero; below 1 KiB, the exact count in bytes.
std::string human_bytes(uint64_t bytes);

}  // namespace benchtop
