// Removing credentials from text a model provider sent back, before it reaches a client or a log:
// providers quote the key they were given (whole, or its first and last characters) in error
// bodies, and proxies echo Authorization headers.
#pragma once

#include <string>
#include <string_view>

namespace benchtop {

// `text` with "***" in place of: the key, any run of 8 or more key-like characters that is part
// of the key, a "Bearer <token>", and anything shaped like a provider key (sk-..., sk_...).
std::string scrub_secrets(std::string text, std::string_view key);

}  // namespace benchtop
