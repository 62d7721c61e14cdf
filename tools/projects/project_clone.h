// project_create's clone step: fills a just-created project's workspace from a repository and,
// when asked, starts a working branch, the way a ticket-based workflow begins.
#pragma once

#include <string>

#include "common/result.h"
#include "server/git/remote/remote_url.h"
#include "server/mcp/registry/tool.h"
#include "server/project/project_service.h"

namespace benchtop {

struct CloneRequest {
  std::string url;
  std::string remote_branch;   // "" = the remote's default branch
  std::string working_branch;  // "" = stay on the cloned branch
  std::string https_username;  // credentials for an HTTPS remote; never shown
  std::string https_token;
  git::TransportPolicy policy = git::TransportPolicy::defaults();
  std::string https_origin;  // the origin the token may be sent to (git_url's)
};

struct CloneOutcome {
  std::string branch;  // checked out after the clone
  std::string head;    // commit id
};

// Clones into `project`'s (empty) workspace with progress and cancellation from `context`.
// On any failure, including cancellation, the project is deleted again so no half project is
// left behind.
Result<CloneOutcome> clone_into_new_project(ProjectService& projects, const Project& project,
                                            const CloneRequest& request, ToolContext& context);

}  // namespace benchtop
