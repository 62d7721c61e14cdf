// An answer to a request (protocol.h): the JSON, the payload, the descriptors sent with it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/unique_fd.h"

namespace benchtop::supervisor {

struct Answer {
  nlohmann::json body;
  std::string payload;
  std::vector<UniqueFd> fds;
};

// {"ok": true, ...fields}
inline Answer success(nlohmann::json fields = nlohmann::json::object()) {
  fields["ok"] = true;
  return Answer{std::move(fields), {}, {}};
}

// {"ok": false, "error": message}
inline Answer refusal(const std::string& message) {
  return Answer{{{"ok", false}, {"error", message}}, {}, {}};
}

}  // namespace benchtop::supervisor
