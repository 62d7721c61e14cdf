// MCP's Streamable HTTP transport at /mcp, for both eras side by side:
//  - 2025 revisions: `initialize` opens a session (Mcp-Session-Id), later POSTs name it, GET opens
//    a stream for server messages, DELETE ends the session;
//  - 2026-07-28: every POST stands alone, its version and capabilities in _meta, mirrored in the
//    MCP-Protocol-Version / Mcp-Method / Mcp-Name headers, which must agree with the body.
// A POST is answered with a JSON body when the answer is ready at once, and switches to an SSE
// stream when the request produces notifications (progress) or takes longer.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "server/access/http_access.h"
#include "server/mcp/mcp_server.h"
#include "server/mcp/sessions/session_store.h"
#include "transport/http_server.h"

namespace benchtop {

struct StreamableHttpOptions {
  std::string endpoint = "/mcp";
  // How long a POST waits for its answer before switching to an SSE stream.
  std::chrono::milliseconds json_window{200};
  // Interval of SSE keep-alive comments; a failed one tells us the client has gone.
  std::chrono::milliseconds keepalive{5000};
  size_t max_standalone_streams = 32;
  // The reconnection delay announced on resumable (2025-11-25) streams.
  std::chrono::milliseconds sse_retry{1000};
};

class StreamableHttp {
 public:
  StreamableHttp(McpServer& server, HttpAccess access, SessionStore& sessions,
                 StreamableHttpOptions options = {});
  ~StreamableHttp();

  HttpResponse handle(const HttpRequest& request);
  // Ends the open GET streams, so that the HTTP server's threads can be joined.
  void shutdown();

 private:
  HttpResponse post(const HttpRequest& request);
  HttpResponse get(const HttpRequest& request);
  HttpResponse remove_session(const HttpRequest& request);
  // A modern request is cancelled when `client_gone` is (its POST's connection closed).
  HttpResponse dispatch(const std::shared_ptr<Session>& session, const jsonrpc::Message& message,
                        bool modern, bool accepts_sse, const CancellationToken& client_gone = {});
  // A GET with Last-Event-ID naming a stream of this session: the rest of that stream.
  std::optional<HttpResponse> resume(const std::shared_ptr<Session>& session,
                                     const std::string& last_event_id);

  McpServer& server_;
  HttpAccess access_;
  SessionStore& sessions_;
  StreamableHttpOptions options_;
  struct StreamCounter;
  std::shared_ptr<StreamCounter> standalone_streams_;
  struct StreamStore;
  std::shared_ptr<StreamStore> streams_;
};

}  // namespace benchtop
