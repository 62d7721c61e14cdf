// The HTTP implementation (a Boost.Beast server; the cpp-httplib client, OpenSSL) lives in a module
// loaded on first use, libbenchtop_http.so beside the executable, so that `benchtop stdio` never
// pays for it: loading and initialising those shared libraries costs several times the rest of
// start-up on this machine kind (measured in docs/benchmarks.md). The core reaches the module only
// through the interfaces below; both sides are built together, so they share one C++ ABI.
#pragma once

#include <memory>

#include "common/result.h"
#include "transport/http_client.h"
#include "transport/http_server.h"

namespace benchtop {

class HttpServerBackend {
 public:
  virtual ~HttpServerBackend() = default;
  virtual Result<int> bind() = 0;
  virtual void run() = 0;
  virtual void stop() = 0;
};

// Bumped whenever a signature below changes, so a stale module is refused rather than called.
inline constexpr int kHttpModuleAbi = 3;

struct HttpModuleApi {
  int abi = kHttpModuleAbi;
  std::unique_ptr<HttpServerBackend> (*make_server)(const HttpServer::Options& options,
                                                    HttpHandler handler) = nullptr;
  std::unique_ptr<HttpExchange> (*make_exchange)(HttpClientRequest request) = nullptr;
};

// The module's API: linked in (tests), or loaded once from beside the executable. The error says
// where it was looked for.
Result<const HttpModuleApi*> http_module();

}  // namespace benchtop

// The module's single entry point.
extern "C" const benchtop::HttpModuleApi* benchtop_http_module_v1();
