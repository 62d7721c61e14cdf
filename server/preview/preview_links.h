// The preview URLs handed to people: where each project port's preview is served, with a pass
// that opens it.
//
// Previews are served by benchtop's own HTTP server, so there are URLs only once it listens
// (`benchtop serve`); a stdio-only server reports listening ports without URLs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "server/preview/preview_address.h"

namespace benchtop {

// The query parameter that carries a pass in a preview URL. The preview answers a URL with one by
// setting its cookie and redirecting to the same URL without it.
inline constexpr std::string_view kPreviewPassParameter = "benchtop_pass";

class PreviewLinks {
 public:
  // How long the pass in a URL can be exchanged for a cookie: long enough for a URL in a tool
  // result or a chat message to be clicked, short enough that a URL found later is dead.
  static constexpr std::chrono::hours kPassLifetime{1};

  // Previews are served on this port of the loopback interface from now on.
  void serve_on(uint16_t server_port) { server_port_ = server_port; }
  bool serving() const { return server_port_ != 0; }

  // `http://p<port>-<project>.localhost:<server port>`, or nullopt while not serving.
  std::optional<std::string> origin(const PreviewAddress& address) const;
  // The origin and `/?benchtop_pass=<pass>`, or nullopt while not serving.
  std::optional<std::string> url(const PreviewAddress& address) const;

  const PreviewPasses& passes() const { return passes_; }

 private:
  std::atomic<uint16_t> server_port_{0};
  PreviewPasses passes_;
};

}  // namespace benchtop
