#include "server/project/project_json.h"

namespace benchtop {

nlohmann::json to_json(const Project& project) {
  return {
      {"id", project.id},
      {"name", project.name},
      {"description", project.description},
      {"kind", std::string(to_string(project.kind))},
      {"root", project.root.string()},
      {"default", project.is_default},
      {"created_at", project.created_at},
      {"updated_at", project.updated_at},
  };
}

}  // namespace benchtop
