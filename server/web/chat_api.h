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
//   GET    /api/projects                   projects (through project_list)
//   GET    /api/projects/{p}/tree?path=&depth=   a directory (through fs_list)
//   GET    /api/projects/{p}/file?path=          a file (through fs_read)
//
// With a token configured, the page and /api accept the bearer header or the session cookie a login
// sets (HttpAccess::check_browser); /mcp and /admin stay bearer-only.
// Errors are JSON {"error": message} with 400, 404, 409 (a run in progress) or 503 (no model).
#pragma once

#include "server/access/http_access.h"
#include "server/chat/chat_service.h"
#include "server/mcp/registry/tool_registry.h"
#include "transport/http_router.h"

namespace benchtop {

// `access`, `chat` and `tools` must outlive the router.
void register_chat_routes(HttpRouter& router, const HttpAccess& access, ChatService& chat,
                          const ToolRegistry& tools);

// Streams the events of `run` after the first `from` as SSE (id = event index) until the run ends
// or the client goes away. A client going away does not cancel the run.
void stream_run_events(const ChatRun& run, size_t from, StreamWriter& writer);

}  // namespace benchtop
