#include "server/access/session_cookie.h"

#include <charconv>

#include "common/base64.h"
#include "common/constant_time.h"
#include "common/random.h"

namespace benchtop {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string SessionCookieSigner::mac(std::string_view payload) const {
  return base64::encode_url(key_.tag(payload));
}

// Format: "<expiry seconds since the epoch>.<nonce>.<mac of the first two parts>". The nonce
// makes every login's cookie distinct even within one second.
std::string SessionCookieSigner::issue(Clock::time_point expires) const {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count();
  const std::string payload = std::to_string(seconds) + "." + base64::encode_url(random_bytes(16));
  return payload + "." + mac(payload);
}

std::optional<long long> SessionCookieSigner::authentic_expiry(std::string_view value) const {
  const auto last_dot = value.rfind('.');
  if (last_dot == std::string_view::npos) return std::nullopt;
  const std::string_view payload = value.substr(0, last_dot);
  const std::string_view given = value.substr(last_dot + 1);
  const std::string expected = mac(payload);
  if (!equal_constant_time(given, expected)) return std::nullopt;
  // Only a value this process signed gets here, so its expiry field is well formed; parse it
  // strictly all the same.
  const auto first_dot = payload.find('.');
  if (first_dot == std::string_view::npos) return std::nullopt;
  long long expiry = 0;
  const auto [end, error] = std::from_chars(payload.data(), payload.data() + first_dot, expiry);
  if (error != std::errc() || end != payload.data() + first_dot) return std::nullopt;
  return expiry;
}

namespace {
long long epoch_seconds(SessionCookieSigner::Clock::time_point when) {
  return std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count();
}
}  // namespace

bool SessionCookieSigner::valid(std::string_view value, Clock::time_point now) const {
  const auto expiry = authentic_expiry(value);
  if (!expiry || epoch_seconds(now) >= *expiry) return false;
  std::lock_guard lock(revoked_->mutex);
  return revoked_->expiry_by_value.find(value) == revoked_->expiry_by_value.end();
}

void SessionCookieSigner::revoke(std::string_view value, Clock::time_point now) const {
  const auto expiry = authentic_expiry(value);
  std::lock_guard lock(revoked_->mutex);
  auto& revoked = revoked_->expiry_by_value;
  // Forget revocations of cookies that have expired since: they are refused anyway.
  std::erase_if(revoked, [&](const auto& entry) { return entry.second <= epoch_seconds(now); });
  if (expiry && *expiry > epoch_seconds(now)) revoked.emplace(value, *expiry);
}

std::vector<std::string> cookie_values(std::string_view header, std::string_view name) {
  std::vector<std::string> values;
  while (!header.empty()) {
    const auto semicolon = header.find(';');
    const std::string_view pair = trim(header.substr(0, semicolon));
    header =
        semicolon == std::string_view::npos ? std::string_view() : header.substr(semicolon + 1);
    const auto equals = pair.find('=');
    if (equals == std::string_view::npos || trim(pair.substr(0, equals)) != name) continue;
    std::string_view value = trim(pair.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    values.emplace_back(value);
  }
  return values;
}

}  // namespace benchtop
