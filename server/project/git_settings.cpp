#include "server/project/git_settings.h"

#include "server/git/remote/remote_url.h"
#include "server/project/project_service.h"
#include "server/storage/database.h"

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
      "SELECT author_name, author_email, https_username, https_token, https_host FROM "
      "git_settings "
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
    settings.https_host = statement->column_text(4);
  }
  return settings;
}

Result<GitSettings> ProjectGitSettings::update(const std::optional<std::string>& project,
                                               const GitSettingsUpdate& update) {
  auto current = settings(project);
  if (!current) return current.take_error();
  auto id = project_id(project);
  if (!id) return id.take_error();
  auto applied = apply_settings_update(*current, update);
  if (!applied) return applied.take_error();
  const GitSettings& next = *applied;
  auto connection = database_.connect();
  auto statement = connection.prepare(
      "INSERT INTO git_settings (project_id, author_name, author_email, https_username, "
      "https_token, https_host) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (project_id) DO "
      "UPDATE SET author_name = ?2, author_email = ?3, https_username = ?4, https_token = ?5, "
      "https_host = ?6");
  if (!statement) return statement.take_error();
  if (auto status = statement
                        ->bind_all(*id, next.author_name, next.author_email, next.https_username,
                                   next.https_token, next.https_host)
                        .run();
      !status) {
    return status.take_error();
  }
  return next;
}

namespace {

// "github.com", "git.example.com:8443" or "https://host[:port]/anything" → "https://host[:port]".
Result<std::string> https_origin(const std::string& host) {
  const std::string url = host.find("://") == std::string::npos ? "https://" + host : host;
  auto parsed = parse_remote_url(url);
  if (!parsed || parsed->scheme != "https" || parsed->host.empty() || parsed->has_userinfo()) {
    return Error::make("https_host '" + host +
                           "' is not an https host: give e.g. 'github.com' or "
                           "'https://git.example.com:8443'.",
                       "invalid_argument");
  }
  return parsed->origin();
}

}  // namespace

Result<GitSettings> apply_settings_update(GitSettings next, const GitSettingsUpdate& update) {
  if (update.author_name) next.author_name = *update.author_name;
  if (update.author_email) next.author_email = *update.author_email;
  if (update.https_username) next.https_username = *update.https_username;
  if (update.https_host) {
    std::string origin;
    if (!update.https_host->empty()) {
      auto parsed = https_origin(*update.https_host);
      if (!parsed) return parsed.take_error();
      origin = std::move(parsed).value();
    }
    if (origin != next.https_host) next.https_token.clear();
    next.https_host = std::move(origin);
  }
  if (update.https_token) {
    if (!update.https_token->empty() && next.https_host.empty()) {
      return Error::make(
          "https_token needs https_host, the host it is for (e.g. 'github.com'): the token is "
          "sent to that host over https and nowhere else.",
          "invalid_argument");
    }
    next.https_token = *update.https_token;
  }
  return next;
}

}  // namespace benchtop::git
