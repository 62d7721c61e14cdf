// Project files as MCP resources: the template benchtop://{project}/{+path} reads a file of a
// project's workspace through the same path guard as the fs_* tools, and completes project names
// and paths. Nothing is listed by resources/list: a workspace can hold millions of files.
#pragma once

#include "server/mcp/registry/resource_registry.h"
#include "server/project/project_service.h"

namespace benchtop {

// Files larger than this are refused; fs_read reads them in ranges.
inline constexpr size_t kMaxResourceBytes = 4 * 1024 * 1024;

class FileWatcher;

// `watcher` (may be null: no subscriptions then) must outlive the registry's use.
void register_project_resources(ResourceRegistry& resources, ProjectService& projects,
                                FileWatcher* watcher = nullptr);

}  // namespace benchtop
