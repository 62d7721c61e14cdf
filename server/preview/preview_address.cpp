#include "server/preview/preview_address.h"

#include <charconv>

#include "common/base64.h"
#include "common/constant_time.h"
#include "common/random.h"
#include "common/uuid.h"

namespace benchtop {
namespace {

constexpr std::string_view kPreviewDomain = ".localhost";

std::optional<uint16_t> parse_port(std::string_view digits) {
  if (digits.empty() || digits.size() > 5 || digits.front() == '0') return std::nullopt;
  unsigned value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(value);
}

}  // namespace

std::string PreviewAddress::host_name() const {
  return "p" + std::to_string(port) + "-" + project_id + std::string(kPreviewDomain);
}

std::optional<PreviewAddress> parse_preview_host(const HostPort& host) {
  if (host.kind != HostPort::Kind::kName) return std::nullopt;
  std::string_view name = host.host;
  if (name.size() <= kPreviewDomain.size() ||
      name.substr(name.size() - kPreviewDomain.size()) != kPreviewDomain) {
    return std::nullopt;
  }
  const std::string_view label = name.substr(0, name.size() - kPreviewDomain.size());
  if (label.find('.') != std::string_view::npos || label.front() != 'p') return std::nullopt;
  const size_t dash = label.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto port = parse_port(label.substr(1, dash - 1));
  const std::string_view project = label.substr(dash + 1);
  if (!port || !is_uuid(project)) return std::nullopt;
  return PreviewAddress{std::string(project), *port};
}

std::string PreviewPasses::mac(std::string_view payload, const PreviewAddress& address) const {
  // The address is signed, not stored: a value is only ever checked against the preview it was
  // presented to.
  return base64::encode_url(key_.tag(std::string(payload) + "|" + address.host_name()));
}

// Format: "<expiry seconds since the epoch>.<nonce>.<mac of both and the address>".
std::string PreviewPasses::issue(const PreviewAddress& address, Clock::time_point expires) const {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count();
  const std::string payload = std::to_string(seconds) + "." + base64::encode_url(random_bytes(16));
  return payload + "." + mac(payload, address);
}

bool PreviewPasses::valid(std::string_view value, const PreviewAddress& address,
                          Clock::time_point now) const {
  const auto last_dot = value.rfind('.');
  if (last_dot == std::string_view::npos) return false;
  const std::string_view payload = value.substr(0, last_dot);
  if (!equal_constant_time(value.substr(last_dot + 1), mac(payload, address))) return false;
  const auto first_dot = payload.find('.');
  if (first_dot == std::string_view::npos) return false;
  long long expiry = 0;
  const auto [end, error] = std::from_chars(payload.data(), payload.data() + first_dot, expiry);
  if (error != std::errc() || end != payload.data() + first_dot) return false;
  return std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() < expiry;
}

}  // namespace benchtop
