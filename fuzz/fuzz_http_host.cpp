// Host and Origin parsing: never crashes; whatever is accepted has no userinfo, path, escape or
// whitespace in it, its canonical form parses back to itself, and loopback is decided the same
// way for both.
#include <cstdlib>

#include "fuzz/fuzz_input.h"
#include "server/access/http_access_host.h"

using namespace benchtop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  const auto host = parse_host_header(text);
  const auto origin = parse_origin(text);
  if (!host && !origin) return 0;
  for (const char c : std::string_view("@/\\%?# \t\r\n")) {
    const std::string_view checked = host ? text : text.substr(text.find("://") + 3);
    if (checked.find(c) != std::string_view::npos) std::abort();
  }
  if (host) {
    const auto again = parse_host_header(host->authority());
    if (!again || again->authority() != host->authority() ||
        again->loopback() != host->loopback() || again->kind != host->kind) {
      std::abort();
    }
    if (host->loopback() && host->kind == HostPort::Kind::kName && host->host != "localhost") {
      std::abort();
    }
  }
  if (origin) {
    const auto again = parse_origin(origin->serialized());
    if (!again || !(*again == *origin) || again->host.loopback() != origin->host.loopback()) {
      std::abort();
    }
  }
  return 0;
}
