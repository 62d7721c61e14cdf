#include "server/preview/preview_links.h"

namespace benchtop {

std::optional<std::string> PreviewLinks::origin(const PreviewAddress& address) const {
  const uint16_t port = server_port_;
  if (port == 0) return std::nullopt;
  return "http://" + address.host_name() + ":" + std::to_string(port);
}

std::optional<std::string> PreviewLinks::url(const PreviewAddress& address) const {
  auto base = origin(address);
  if (!base) return std::nullopt;
  // A pass is URL-safe base64 and digits joined by dots: nothing in it needs escaping.
  const std::string pass = passes_.issue(address, PreviewPasses::Clock::now() + kPassLifetime);
  return *base + "/?" + std::string(kPreviewPassParameter) + "=" + pass;
}

}  // namespace benchtop
