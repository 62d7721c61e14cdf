#include "server/git/git_transfer.h"

#include "server/git/git_error.h"

namespace benchtop::git {

void TransferCallbacks::install(git_remote_callbacks& callbacks) {
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

void TransferCallbacks::report(double progress, std::optional<double> total,
                               const std::string& message) {
  // MCP progress must increase with every notification.
  if (!options_.progress || progress <= last_progress_) return;
  last_progress_ = progress;
  options_.progress(progress, total, message);
}

int TransferCallbacks::on_credentials(git_credential** out, const char*,
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
