// The HTTP server's side of live previews: requests whose Host names a preview
// (`p<port>-<project id>.localhost`, see server/preview/preview_address.h) are not handled here but
// carried, bytes and all, to that port inside the project's sandbox (HttpTunnels).
//
// Before a request is carried, this decides whether it may be:
//   - its one Host header names a preview of an existing project;
//   - an Origin header, when there is one, is the preview's own origin: another preview, the chat
//     page or any other site cannot drive it with the browser's cookie (which also stops
//     cross-site WebSocket hijacking);
//   - the caller holds the preview's cookie, the server's bearer token, or a pass in the URL
//     (which is exchanged for the cookie by a redirect that drops it from the URL). A server
//     without a token admits loopback callers, as the chat page does.
// The dev server then gets the request head with benchtop's credentials removed (its cookie, the
// bearer token), `X-Forwarded-*` set, and `Connection: close` unless it is an upgrade, so every
// request of a browser comes back through these checks on a new connection.
#pragma once

#include <functional>
#include <string>

#include "common/result.h"
#include "common/unique_fd.h"
#include "server/access/http_access.h"
#include "server/preview/preview_links.h"
#include "transport/http_server.h"

namespace benchtop {

// The preview's cookie, host-only on the preview's own origin.
inline constexpr std::string_view kPreviewCookie = "benchtop_preview";

class PreviewGateway {
 public:
  // A connection to `port` inside the project's running sandbox.
  using Connect = std::function<Result<UniqueFd>(const std::string& project_id, int port)>;
  using ProjectExists = std::function<bool(const std::string& project_id)>;

  // All references must outlive the gateway.
  PreviewGateway(const HttpAccess& access, const PreviewLinks& links, ProjectExists exists,
                 Connect connect);

  // The HttpServer option that routes preview hosts here.
  HttpTunnels tunnels() const;

  static bool claims(std::string_view host);
  TunnelAnswer open(const TunnelRequest& request) const;

  // How long a browser keeps a preview's cookie.
  static constexpr std::chrono::hours kCookieLifetime{12};

 private:
  const HttpAccess& access_;
  const PreviewLinks& links_;
  ProjectExists exists_;
  Connect connect_;
};

}  // namespace benchtop
