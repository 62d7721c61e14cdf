#include "server/agent/secret_scrub.h"

#include <strings.h>

#include <cctype>

namespace benchtop {
namespace {

constexpr size_t kMinFragment = 8;  // shorter runs are too likely to be ordinary words

bool token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '~' || c == '+' || c == '/' || c == '=';
}

bool starts_with_nocase(std::string_view text, size_t at, std::string_view prefix) {
  return text.size() - at >= prefix.size() &&
         ::strncasecmp(text.data() + at, prefix.data(), prefix.size()) == 0;
}

// True when the token [begin, end) must go: part of the key, or shaped like a provider key.
bool secret_token(std::string_view token, std::string_view key) {
  if (token.size() < kMinFragment) return false;
  if (!key.empty() && key.find(token) != std::string_view::npos) return true;
  if (!key.empty() && token.find(key) != std::string_view::npos) return true;
  return starts_with_nocase(token, 0, "sk-") || starts_with_nocase(token, 0, "sk_");
}

}  // namespace

std::string scrub_secrets(std::string text, std::string_view key) {
  if (!key.empty()) {
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + 3)) {
      text.replace(at, key.size(), "***");
    }
  }
  std::string out;
  out.reserve(text.size());
  bool after_bearer = false;
  for (size_t at = 0; at < text.size();) {
    if (!token_char(text[at])) {
      out += text[at++];
      continue;
    }
    size_t end = at;
    while (end < text.size() && token_char(text[end])) ++end;
    const std::string_view token(text.data() + at, end - at);
    if (after_bearer || secret_token(token, key)) {
      out += "***";
    } else {
      out += token;
    }
    // The word after "Bearer" is a credential, however short or unusual it is.
    after_bearer = token.size() == 6 && starts_with_nocase(token, 0, "bearer");
    at = end;
  }
  return out;
}

}  // namespace benchtop
