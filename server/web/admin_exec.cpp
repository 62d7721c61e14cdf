#include "server/web/admin_exec.h"

#include <nlohmann/json.hpp>

#include "common/log.h"

namespace benchtop {
namespace {

HttpResponse error_response(int status, const std::string& message) {
  return HttpResponse::json(status, nlohmann::json{{"error", message}}.dump());
}

// Compares without an early exit, so response time reveals nothing about the token.
bool same_secret(const std::string& given, const std::string& expected) {
  unsigned char difference = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) {
    difference |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
  }
  return difference == 0;
}

}  // namespace

HttpResponse handle_exec_admin(const HttpRequest& request, ContainerManager& containers,
                               const std::string& admin_token) {
  if (admin_token.empty()) {
    return error_response(403,
                          "admin endpoints are off: start benchtop with --admin-token or "
                          "BENCHTOP_ADMIN_TOKEN to use them");
  }
  const auto given = request.header("X-Benchtop-Admin-Token");
  if (!given || !same_secret(*given, admin_token)) {
    return error_response(401, "missing or wrong X-Benchtop-Admin-Token");
  }
  if (request.method == "POST") {
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("enabled") || !body["enabled"].is_boolean()) {
      return error_response(400, "body must be {\"enabled\": true|false}");
    }
    containers.set_exec_enabled(body["enabled"].get<bool>());
    log::warning(std::string("exec kill switch set over HTTP from ") + request.remote_address);
  }
  return HttpResponse::json(200, nlohmann::json{{"enabled", containers.exec_enabled()}}.dump());
}

void register_exec_admin_routes(HttpRouter& router, const HttpAccess& access,
                                ContainerManager& containers, std::string admin_token) {
  auto handler = [&containers, admin_token = std::move(admin_token)](const HttpRequest& request) {
    return handle_exec_admin(request, containers, admin_token);
  };
  router.add("GET", "/admin/exec", access.guard(handler));
  router.add("POST", "/admin/exec", access.guard(handler));
}

}  // namespace benchtop
