#include "transport/http_client.h"

#include <strings.h>

#include "transport/http_module.h"

namespace benchtop {

std::string HttpResponseHead::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return {};
}

Result<std::unique_ptr<HttpExchange>> make_http_exchange(HttpClientRequest request) {
  if (request.origin.rfind("http://", 0) != 0 && request.origin.rfind("https://", 0) != 0) {
    return Error::make("not an http(s) URL: " + request.origin, "invalid_url");
  }
  auto module = http_module();
  if (!module) return module.error();
  return (*module)->make_exchange(std::move(request));
}

}  // namespace benchtop
