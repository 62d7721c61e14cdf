// Where each project's git settings (commit author, HTTPS credentials) are kept.
#pragma once

#include <functional>
#include <string>

#include "common/result.h"

namespace benchtop {

struct GitSettingsRecord {
  std::string author_name;
  std::string author_email;
  std::string https_username;
  std::string https_token;
  std::string https_host;
};

class GitSettingsRepository {
 public:
  virtual ~GitSettingsRepository() = default;

  // All fields empty for a project that has none.
  virtual Result<GitSettingsRecord> get(const std::string& project_id) = 0;
  // Reads the settings, applies `change` and stores its result, in one transaction, so two
  // updates never lose each other's fields. A failed `change` stores nothing.
  virtual Result<GitSettingsRecord> update(
      const std::string& project_id,
      const std::function<Result<GitSettingsRecord>(GitSettingsRecord)>& change) = 0;
};

}  // namespace benchtop
