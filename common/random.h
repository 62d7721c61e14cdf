// Bytes from the kernel's CSPRNG (getrandom), for keys, nonces and identifiers that must not be
// guessable. Throws std::system_error only if the kernel cannot supply randomness at all, which is
// a platform fault rather than an expected failure.
#pragma once

#include <cstddef>
#include <string>

namespace benchtop {

void fill_random(void* out, size_t size);
std::string random_bytes(size_t size);
// `size` random bytes as 2 * size lowercase hex digits.
std::string random_hex(size_t size);

}  // namespace benchtop
