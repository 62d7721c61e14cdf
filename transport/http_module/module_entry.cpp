// The entry point the core looks up after loading libbenchtop_http.so.
#include "transport/http_module.h"
#include "transport/http_module/beast_server.h"
#include "transport/http_module/httplib_client.h"

extern "C" const benchtop::HttpModuleApi* benchtop_http_module_v1() {
  static const benchtop::HttpModuleApi api{
      .abi = benchtop::kHttpModuleAbi,
      .make_server = &benchtop::make_beast_server,
      .make_exchange = &benchtop::make_httplib_exchange,
  };
  return &api;
}
