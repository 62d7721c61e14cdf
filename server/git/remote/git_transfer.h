// Network-side callbacks shared by clone, fetch, pull and push: the transport allow-list checked
// on the URL libgit2 is about to connect to (after insteadOf/pushInsteadOf and pushurl, which code
// in the project can change in .git/config), HTTPS credentials from the project's settings (sent
// only over https to the host they were given for, tried once, never logged), progress as it
// arrives, and cancellation (a callback returning non-zero makes libgit2 abort the transfer).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/cancellation.h"
#include "common/result.h"
#include "server/git/git_handles.h"
#include "server/git/remote/remote_url.h"

namespace benchtop::git {

struct TransferOptions {
  std::function<void(double progress, std::optional<double> total, const std::string& message)>
      progress;
  CancellationToken cancellation;
  TransportPolicy policy = TransportPolicy::defaults();
  // The stored credential and the origin it is bound to ("https://host[:port]"); a credential
  // without an origin is never sent.
  std::string https_origin;
  std::string https_username;
  std::string https_token;
};

// Why a credential bound to `origin` ("https://host[:port]") must not be sent to the remote at
// `url`; "" when it may be: only over https, only to that scheme, host and port.
std::string credential_withheld(std::string_view url, std::string_view origin);

class TransferCallbacks {
 public:
  explicit TransferCallbacks(const TransferOptions& options) : options_(options) {}
  TransferCallbacks(const TransferCallbacks&) = delete;
  TransferCallbacks& operator=(const TransferCallbacks&) = delete;

  // Points the options' callbacks at this object (it must outlive the libgit2 call) and turns
  // off following redirects to other hosts (libgit2 follows them on the first request unless
  // told not to, and http.followRedirects in .git/config could allow them throughout).
  void install(git_fetch_options& options);
  void install(git_push_options& options);

  bool cancelled() const { return options_.cancellation.cancelled(); }
  bool credentials_refused() const { return credentials_refused_; }
  // Why the remote's URL was refused by the transport policy; "" when it was not.
  const std::string& refusal() const { return refusal_; }
  // Why the stored credential was not offered to a remote that asked for one; "" when it was.
  const std::string& withheld() const { return withheld_; }
  // The remote's reason when it refused to update a ref during a push; "" when all were accepted.
  const std::string& push_rejection() const { return push_rejection_; }
  // Redacts the token from a message that may quote it.
  std::string scrub(std::string message) const;
  // The error for a failed transfer ("Cannot <what>: ..."; rc is libgit2's return code): a
  // cancellation, the policy's refusal, or libgit2's reason with what happened to the credential.
  Error failure(std::string_view what, int rc) const;

 private:
  void install(git_remote_callbacks& callbacks);
  static int on_remote_ready(git_remote* remote, int direction, void* payload);
  bool credential_fits(const char* url);
  static int on_credentials(git_credential** out, const char* url, const char* username_from_url,
                            unsigned int allowed_types, void* payload);
  static int on_transfer(const git_indexer_progress* stats, void* payload);
  static int on_push_transfer(unsigned int current, unsigned int total, size_t bytes,
                              void* payload);
  static int on_sideband(const char* text, int length, void* payload);
  static int on_push_update(const char* refname, const char* status, void* payload);
  void report(double progress, std::optional<double> total, const std::string& message);

  const TransferOptions& options_;
  double last_progress_ = -1;
  int credential_attempts_ = 0;
  bool credentials_refused_ = false;
  std::string refusal_;
  std::string withheld_;
  std::string push_rejection_;
};

}  // namespace benchtop::git
