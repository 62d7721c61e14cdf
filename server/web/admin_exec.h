// The exec kill switch over HTTP, for an operator who must stop every command at once:
//   GET  /admin/exec                     -> {"enabled": true|false}
//   POST /admin/exec {"enabled": false}  -> switches it, answers the same shape
// Both need the admin token in `X-Benchtop-Admin-Token` (separate from the client token, which
// agents hold). Without a configured admin token the endpoints refuse every request (403).
#pragma once

#include <string>

#include "server/access/http_access.h"
#include "server/sandbox/container_manager.h"
#include "transport/http_router.h"

namespace benchtop {

// The handler itself (exposed for tests); routes are registered wrapped in access.guard().
HttpResponse handle_exec_admin(const HttpRequest& request, ContainerManager& containers,
                               const std::string& admin_token);

void register_exec_admin_routes(HttpRouter& router, const HttpAccess& access,
                                ContainerManager& containers, std::string admin_token);

}  // namespace benchtop
