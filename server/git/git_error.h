// libgit2 failures as Error values whose message says what failed and what to do next.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace benchtop::git {

// "<what>: <libgit2's last error message>", with the code "git_error" (or "not_found",
// "conflict", "exists" for the libgit2 codes a caller can act on). `rc` is the libgit2 return code.
Error git_failure(std::string_view what, int rc);

// Replaces every occurrence of `secret` in `text` with "***" (for messages that may quote a URL
// or a credential).
std::string redact(std::string text, std::string_view secret);

// A URL with any user:password@ part replaced by ***@.
std::string redact_url(std::string_view url);

}  // namespace benchtop::git
