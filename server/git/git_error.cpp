#include "server/git/git_error.h"

#include <git2.h>

namespace benchtop::git {

Error git_failure(std::string_view what, int rc) {
  const git_error* last = git_error_last();
  std::string message(what);
  if (last && last->message && *last->message) {
    message += ": ";
    message += last->message;
  }
  std::string code = "git_error";
  switch (rc) {
    case GIT_ENOTFOUND:
      code = "not_found";
      break;
    case GIT_EEXISTS:
      code = "exists";
      break;
    case GIT_ECONFLICT:
    case GIT_EMERGECONFLICT:
      code = "conflict";
      message +=
          ". Commit or stash your changes first (git_commit / git_stash push), or pass "
          "force where the tool offers it";
      break;
    case GIT_EUNBORNBRANCH:
      code = "unborn";
      message += ". The branch has no commits yet: make one with git_add and git_commit";
      break;
    case GIT_EUSER:
      code = "cancelled";
      break;
    case GIT_EAUTH:
      code = "auth";
      message += ". Check the remote's credentials in the project's git settings";
      break;
    default:
      break;
  }
  if (!message.empty() && message.back() != '.') message += '.';
  return Error::make(std::move(message), std::move(code));
}

std::string redact(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
    text.replace(at, secret.size(), "***");
  }
  return text;
}

std::string redact_url(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const size_t host_start = scheme + 3;
  const size_t path_start = url.find('/', host_start);
  const size_t at = url.rfind('@', path_start == std::string_view::npos ? url.size() : path_start);
  if (at == std::string_view::npos || at < host_start) return std::string(url);
  return std::string(url.substr(0, host_start)) + "***" + std::string(url.substr(at));
}

}  // namespace benchtop::git
