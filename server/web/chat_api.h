// The chat HTTP API and page on the server's router (same server, same access rules as /mcp):
//
//   GET    /                               the chat page (/?token= logs a browser in)
//   POST   /login  token=…                 the login form's target (see chat_login.h)
//   POST   /api/threads {project, title?}  create a thread            → 201 thread
//   GET    /api/threads?project=           list threads (newest first)
//   GET    /api/threads/{id}               one thread (+ "running")
//   GET    /api/threads/{id}/messages      its messages
//   DELETE /api/threads/{id}               delete it (cancelling a run)
//   POST   /api/threads/{id}/messages {content}  run the agent → text/event-stream of JSON events
//   GET    /api/threads/{id}/events        re-attach to the current (or last) run's stream
//   POST   /api/threads/{id}/cancel        stop the run
//   GET    /api/projects                   projects, as project_list gives them
//   GET    /api/projects/{p}/tree?path=&depth=   a directory, as fs_list lists it
//   GET    /api/projects/{p}/file?path=          a file, as fs_read reads it (text or image facts)
//
// The page browses through the same workspace guard, directory listing and file reader as the fs
// tools (server/workspace/browse), not through the tools: a tool's text is written for a model.
//
// With a token configured, the page and /api accept the bearer header or the session cookie a login
// sets (HttpAccess::check_browser); /mcp and /admin stay bearer-only.
// Errors are JSON {"error": message} with 400, 404, 409 (a run in progress) or 503 (no model).
#pragma once

#include "server/access/http_access.h"
#include "server/chat/chat_service.h"
#include "server/project/project_service.h"
#include "server/workspace/workspace_provider.h"
#include "transport/http_router.h"

namespace benchtop {

// What the page's project and file endpoints read from.
struct ProjectBrowsing {
  WorkspaceProvider& workspaces;
  std::function<Result<std::vector<Project>>()> list_projects;
};

// `access`, `chat` and what `browsing` refers to must outlive the router.
void register_chat_routes(HttpRouter& router, const HttpAccess& access, ChatService& chat,
                          const ProjectBrowsing& browsing);

// Streams the events of `run` after the first `from` as SSE (id = event index) until the run ends
// or the client goes away. A client going away does not cancel the run.
void stream_run_events(const ChatRun& run, size_t from, StreamWriter& writer);

}  // namespace benchtop
