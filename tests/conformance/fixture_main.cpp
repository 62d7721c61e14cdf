// The conformance fixture server: the protocol core and Streamable HTTP transport of benchtop with
// the suite's fixture tools, prompts and resources instead of the product's. Usage:
//   benchtop_conformance_fixture [--listen HOST:PORT]     (default 127.0.0.1:0, any free port)
// Prints "listening on http://HOST:PORT/mcp" on stderr and serves until SIGINT/SIGTERM.
#include <pthread.h>
#include <signal.h>

#include <cstring>
#include <string>
#include <thread>

#include "common/log.h"
#include "fixture.h"
#include "server/access/http_access.h"
#include "server/mcp/http/streamable_http.h"
#include "server/mcp/mcp_server.h"
#include "server/mcp/sessions/session_store.h"
#include "server/mcp/workers/worker_pool.h"
#include "transport/http_server.h"

int main(int argc, char** argv) {
  using namespace benchtop;
  std::string host = "127.0.0.1";
  int port = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
      const std::string listen = argv[++i];
      const auto colon = listen.rfind(':');
      if (colon == std::string::npos) {
        log::error("--listen needs HOST:PORT");
        return 2;
      }
      host = listen.substr(0, colon);
      port = std::stoi(listen.substr(colon + 1));
    } else {
      log::error(std::string("unknown argument ") + argv[i]);
      return 2;
    }
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  ToolRegistry tools;
  PromptRegistry prompts;
  ResourceRegistry resources;
  conformance::register_fixture_tools(tools);
  conformance::register_fixture_prompts(prompts);
  conformance::register_fixture_resources(resources);

  WorkerPool workers(16);
  McpServer server(
      {"benchtop-conformance-fixture", "benchtop conformance fixture", "1.0.0", "", {}}, tools,
      resources, prompts, workers);
  conformance::register_fixture_task_tools(tools, server);
  const HttpAccess access(HttpAccessPolicy{true, "", {}, {}});
  SessionStore sessions(std::chrono::seconds(600));
  StreamableHttpOptions options;
  options.sse_retry = std::chrono::milliseconds(500);
  StreamableHttp mcp(server, access, sessions, options);

  HttpServer::Options http_options;
  http_options.host = host;
  http_options.port = port;
  HttpServer http(http_options, [&mcp](const HttpRequest& request) { return mcp.handle(request); });
  auto bound = http.bind();
  if (!bound) {
    log::error(bound.error().message);
    return 1;
  }
  log::info("listening on http://" + host + ":" + std::to_string(*bound) + "/mcp");

  std::thread signal_watcher([&] {
    int received = 0;
    sigwait(&signals, &received);
    mcp.shutdown();
    http.stop();
  });
  http.run();
  pthread_kill(signal_watcher.native_handle(), SIGTERM);
  signal_watcher.join();
  return 0;
}
