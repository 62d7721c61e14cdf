#include "server/project/git_settings.h"

#include "server/git/remote/remote_url.h"
#include "server/project/project_service.h"

namespace benchtop::git {

Result<std::string> ProjectGitSettings::project_id(const std::optional<std::string>& project) {
  auto found = projects_.resolve(project);
  if (!found) return found.take_error();
  return found->id;
}

namespace {

GitSettings from_record(const GitSettingsRecord& record) {
  return {record.author_name, record.author_email, record.https_username, record.https_token,
          record.https_host};
}

GitSettingsRecord to_record(const GitSettings& settings) {
  return {settings.author_name, settings.author_email, settings.https_username,
          settings.https_token, settings.https_host};
}

}  // namespace

Result<GitSettings> ProjectGitSettings::settings(const std::optional<std::string>& project) {
  auto id = project_id(project);
  if (!id) return id.take_error();
  auto record = repository_.get(*id);
  if (!record) return record.take_error();
  return from_record(*record);
}

Result<GitSettings> ProjectGitSettings::update(const std::optional<std::string>& project,
                                               const GitSettingsUpdate& update) {
  auto id = project_id(project);
  if (!id) return id.take_error();
  // Read, changed and written in one transaction: two updates never lose each other's fields.
  auto stored = repository_.update(
      *id, [&update](const GitSettingsRecord& current) -> Result<GitSettingsRecord> {
        auto applied = apply_settings_update(from_record(current), update);
        if (!applied) return applied.take_error();
        return to_record(*applied);
      });
  if (!stored) return stored.take_error();
  return from_record(*stored);
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
