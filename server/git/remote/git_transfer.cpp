#include "server/git/remote/git_transfer.h"

#include "server/git/git_error.h"

namespace benchtop::git {

void TransferCallbacks::install(git_fetch_options& options) {
  install(options.callbacks);
  options.follow_redirects = GIT_REMOTE_REDIRECT_NONE;
  options.proxy_opts.type = GIT_PROXY_NONE;
}

void TransferCallbacks::install(git_push_options& options) {
  install(options.callbacks);
  options.follow_redirects = GIT_REMOTE_REDIRECT_NONE;
  options.proxy_opts.type = GIT_PROXY_NONE;
}

void TransferCallbacks::install(git_remote_callbacks& callbacks) {
  callbacks.remote_ready = &TransferCallbacks::on_remote_ready;
  callbacks.credentials = &TransferCallbacks::on_credentials;
  callbacks.transfer_progress = &TransferCallbacks::on_transfer;
  callbacks.push_transfer_progress = &TransferCallbacks::on_push_transfer;
  callbacks.sideband_progress = &TransferCallbacks::on_sideband;
  callbacks.push_update_reference = &TransferCallbacks::on_push_update;
  callbacks.payload = this;
}

std::string TransferCallbacks::scrub(std::string message) const {
  return redact(std::move(message), options_.https_token);
}

Error TransferCallbacks::failure(std::string_view what, int rc) const {
  if (cancelled()) return Error::make(std::string(what) + " was cancelled.", "cancelled");
  if (!refusal_.empty()) return Error::make(refusal_, "refused");
  Error error = git_failure("Cannot " + std::string(what), rc);
  if (credentials_refused_) {
    error.message +=
        " The remote refused the stored credentials: update https_token with git_settings.";
  }
  if (!withheld_.empty()) error.message += " " + withheld_;
  error.message = scrub(std::move(error.message));
  return error;
}

void TransferCallbacks::report(double progress, std::optional<double> total,
                               const std::string& message) {
  // MCP progress must increase with every notification.
  if (!options_.progress || progress <= last_progress_) return;
  last_progress_ = progress;
  options_.progress(progress, total, message);
}

// libgit2 calls this right before it connects, and then connects to exactly the URL read here
// (remote->url for a fetch, remote->pushurl or else remote->url for a push, both after
// url.<base>.insteadOf / pushInsteadOf), so the policy judges the address really used.
int TransferCallbacks::on_remote_ready(git_remote* remote, int direction, void* payload) {
  auto* self = static_cast<TransferCallbacks*>(payload);
  const char* url = git_remote_url(remote);
  if (direction == GIT_DIRECTION_PUSH && git_remote_pushurl(remote)) {
    url = git_remote_pushurl(remote);
  }
  if (!url) return 0;  // libgit2 reports the missing URL itself
  if (auto allowed = self->options_.policy.check(url); !allowed) {
    self->refusal_ = allowed.error().message;
    git_error_set_str(GIT_ERROR_NET, self->refusal_.c_str());
    return GIT_EUSER;
  }
  return 0;
}

std::string credential_withheld(std::string_view url, std::string_view origin) {
  auto parsed = parse_remote_url(url);
  const std::string target = parsed ? parsed->origin() : "this remote";
  if (origin.empty()) {
    return "The stored https_token is not bound to a host, so it was not sent: set it again with "
           "git_settings (https_token with https_host).";
  }
  if (!parsed || parsed->scheme != "https" || parsed->has_userinfo()) {
    return "The stored https_token is only ever sent over https, so it was not sent to " + target +
           ".";
  }
  if (parsed->origin() != origin) {
    return "The stored https_token is for " + std::string(origin) + ", so it was not sent to " +
           target + ".";
  }
  return "";
}

// The URL libgit2 passes is the remote's own: it does not change on a redirect, which is why
// install() turns off redirects to other hosts.
bool TransferCallbacks::credential_fits(const char* url) {
  withheld_ = credential_withheld(url ? url : "", options_.https_origin);
  return withheld_.empty();
}

int TransferCallbacks::on_credentials(git_credential** out, const char* url,
                                      const char* username_from_url, unsigned int allowed_types,
                                      void* payload) {
  auto* self = static_cast<TransferCallbacks*>(payload);
  // libgit2 asks again after a rejected credential; a second ask means the token was refused,
  // and retrying forever would hang the call.
  if (self->options_.https_token.empty() || ++self->credential_attempts_ > 1 ||
      !(allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) {
    self->credentials_refused_ = self->credential_attempts_ > 1;
    return GIT_PASSTHROUGH;
  }
  if (!self->credential_fits(url)) return GIT_PASSTHROUGH;
  std::string username = self->options_.https_username;
  if (username.empty()) username = username_from_url ? username_from_url : "x-access-token";
  return git_credential_userpass_plaintext_new(out, username.c_str(),
                                               self->options_.https_token.c_str());
}

int TransferCallbacks::on_transfer(const git_indexer_progress* stats, void* payload) {
  auto* self = static_cast<TransferCallbacks*>(payload);
  if (self->cancelled()) return -1;
  const double done = static_cast<double>(stats->received_objects) + stats->indexed_deltas;
  const double total = static_cast<double>(stats->total_objects) + stats->total_deltas;
  self->report(done, total > 0 ? std::optional<double>(total) : std::nullopt,
               "received " + std::to_string(stats->received_objects) + "/" +
                   std::to_string(stats->total_objects) + " objects");
  return 0;
}

int TransferCallbacks::on_push_transfer(unsigned int current, unsigned int total, size_t,
                                        void* payload) {
  auto* self = static_cast<TransferCallbacks*>(payload);
  if (self->cancelled()) return -1;
  self->report(current, total > 0 ? std::optional<double>(total) : std::nullopt,
               "sent " + std::to_string(current) + "/" + std::to_string(total) + " objects");
  return 0;
}

int TransferCallbacks::on_sideband(const char*, int, void* payload) {
  return static_cast<TransferCallbacks*>(payload)->cancelled() ? -1 : 0;
}

}  // namespace benchtop::git

namespace benchtop::git {

int TransferCallbacks::on_push_update(const char* refname, const char* status, void* payload) {
  auto* self = static_cast<TransferCallbacks*>(payload);
  if (status) {
    if (!self->push_rejection_.empty()) self->push_rejection_ += "; ";
    self->push_rejection_ += std::string(refname ? refname : "?") + ": " + status;
  }
  return 0;
}

}  // namespace benchtop::git
