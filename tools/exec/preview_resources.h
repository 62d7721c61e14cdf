// Live previews as an MCP resource: the template benchtop-previews://{project} reads which TCP
// ports a project's sandbox listens on and their preview URLs, and a client that subscribes to it
// hears (notifications/resources/updated) when a port opens, e.g. once a dev server is up.
#pragma once

#include "server/mcp/registry/resource_registry.h"
#include "server/preview/port_watch.h"
#include "server/preview/preview_links.h"
#include "server/project/project_service.h"

namespace benchtop {

// `projects`, `ports` and `links` must outlive the registry. The subscriptions of watched
// previews live as long as the registry (as a server's resource watches do).
void register_preview_resources(ResourceRegistry& resources, ProjectService& projects,
                                PortWatch& ports, const PreviewLinks& links);

}  // namespace benchtop
