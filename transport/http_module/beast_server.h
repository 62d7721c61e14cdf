#pragma once

#include <memory>

#include "transport/http_module.h"

namespace benchtop {

std::unique_ptr<HttpServerBackend> make_beast_server(const HttpServer::Options& options,
                                                     HttpHandler handler);

}  // namespace benchtop
