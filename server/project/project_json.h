// A project as JSON, the one shape every reader gets: the project tools' results and the chat
// API's project list.
#pragma once

#include <nlohmann/json.hpp>

#include "server/project/project_service.h"

namespace benchtop {

// {id, name, description, kind, root, default, created_at, updated_at}
nlohmann::json to_json(const Project& project);

}  // namespace benchtop
