#pragma once

#include <memory>

#include "transport/http_client.h"

namespace benchtop {

std::unique_ptr<HttpExchange> make_httplib_exchange(HttpClientRequest request);

}  // namespace benchtop
