// Per-project git settings: the commit author and the HTTPS credentials for remotes. Kept in the
// store beside the project; the token is write-only from the tools' point of view (results and
// logs only ever say whether one is set).
#pragma once

#include <optional>
#include <string>

#include "common/result.h"
#include "server/storage/git_settings_repository.h"

namespace benchtop {
class ProjectService;
}  // namespace benchtop

namespace benchtop::git {

struct GitSettings {
  std::string author_name;   // "" = not set
  std::string author_email;  // "" = not set
  std::string https_username;
  std::string https_token;
  // The origin the token is bound to, "https://host[:port]"; "" = none (the token is not used).
  std::string https_host;
};

// Fields to change; std::nullopt leaves a field as it is, "" clears it.
struct GitSettingsUpdate {
  std::optional<std::string> author_name;
  std::optional<std::string> author_email;
  std::optional<std::string> https_username;
  std::optional<std::string> https_token;
  // A host name, host:port or https:// URL; normalised to its origin.
  std::optional<std::string> https_host;
};

// `current` with `update` applied. A token is only stored together with the host it is for, and
// changing the host without giving a token clears the stored one, so no caller can redirect an
// existing token to a host of its choosing.
Result<GitSettings> apply_settings_update(GitSettings current, const GitSettingsUpdate& update);

class GitSettingsSource {
 public:
  virtual ~GitSettingsSource() = default;
  // `project` as tools receive it (id or name; std::nullopt = the default project).
  virtual Result<GitSettings> settings(const std::optional<std::string>& project) = 0;
  virtual Result<GitSettings> update(const std::optional<std::string>& project,
                                     const GitSettingsUpdate& update) = 0;
};

// The settings of the project service's projects, in the git_settings table.
class ProjectGitSettings : public GitSettingsSource {
 public:
  ProjectGitSettings(GitSettingsRepository& repository, ProjectService& projects)
      : repository_(repository), projects_(projects) {}
  Result<GitSettings> settings(const std::optional<std::string>& project) override;
  Result<GitSettings> update(const std::optional<std::string>& project,
                             const GitSettingsUpdate& update) override;

 private:
  Result<std::string> project_id(const std::optional<std::string>& project);
  GitSettingsRepository& repository_;
  ProjectService& projects_;
};

// The author used when a project sets none, so a commit never fails for lack of user config.
inline constexpr const char* kDefaultAuthorName = "benchtop";
inline constexpr const char* kDefaultAuthorEmail = "benchtop@localhost";

}  // namespace benchtop::git
