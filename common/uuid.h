// Random (version 4) UUIDs from the kernel's CSPRNG, for identifiers that must not be guessable or
// collide across runs (project ids, session ids).
#pragma once

#include <string>
#include <string_view>

namespace benchtop {

// A new UUIDv4 in canonical lowercase form, e.g. "0b6f3a52-9d1e-4c7a-8f0e-5e2b1c9d7a44".
// Reads getrandom(2); throws std::system_error only if the kernel cannot supply randomness at all,
// which is a platform fault rather than an expected failure.
std::string uuid_v4();

// True for the canonical 36-character form (8-4-4-4-12 lowercase hex digits), any version.
bool is_uuid(std::string_view text);

}  // namespace benchtop
