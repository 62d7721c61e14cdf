#include "server/git/git_settings.h"

#include "server/database.h"
#include "server/project_service.h"

namespace benchtop::git {

Result<std::string> ProjectGitSettings::project_id(const std::optional<std::string>& project) {
  auto found = projects_.resolve(project);
  if (!found) return found.take_error();
  return found->id;
}

Result<GitSettings> ProjectGitSettings::settings(const std::optional<std::string>& project) {
  auto id = project_id(project);
  if (!id) return id.take_error();
  auto connection = database_.connect();
  auto statement = connection.prepare(
      "SELECT author_name, author_email, https_username, https_token FROM git_settings "
      "WHERE project_id = ?");
  if (!statement) return statement.take_error();
  auto row = statement->bind(1, *id).step();
  if (!row) return row.take_error();
  GitSettings settings;
  if (*row) {
    settings.author_name = statement->column_text(0);
    settings.author_email = statement->column_text(1);
    settings.https_username = statement->column_text(2);
    settings.https_token = statement->column_text(3);
  }
  return settings;
}

Result<GitSettings> ProjectGitSettings::update(const std::optional<std::string>& project,
                                               const GitSettingsUpdate& update) {
  auto current = settings(project);
  if (!current) return current.take_error();
  auto id = project_id(project);
  if (!id) return id.take_error();
  GitSettings next = *current;
  if (update.author_name) next.author_name = *update.author_name;
  if (update.author_email) next.author_email = *update.author_email;
  if (update.https_username) next.https_username = *update.https_username;
  if (update.https_token) next.https_token = *update.https_token;
  auto connection = database_.connect();
  auto statement = connection.prepare(
      "INSERT INTO git_settings (project_id, author_name, author_email, https_username, "
      "https_token) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (project_id) DO UPDATE SET "
      "author_name = ?2, author_email = ?3, https_username = ?4, https_token = ?5");
  if (!statement) return statement.take_error();
  if (auto status = statement
                        ->bind_all(*id, next.author_name, next.author_email, next.https_username,
                                   next.https_token)
                        .run();
      !status) {
    return status.take_error();
  }
  return next;
}

}  // namespace benchtop::git
