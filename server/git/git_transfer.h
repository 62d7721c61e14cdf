// Network-side callbacks shared by clone, fetch, pull and push: HTTPS credentials from the
// project's settings (tried once, never logged), progress as it arrives, and cancellation (a
// callback returning non-zero makes libgit2 abort the transfer).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/cancellation.h"
#include "server/git/git_handles.h"

namespace benchtop::git {

struct TransferOptions {
  std::function<void(double progress, std::optional<double> total, const std::string& message)>
      progress;
  CancellationToken cancellation;
  std::string https_username;
  std::string https_token;
};

class TransferCallbacks {
 public:
  explicit TransferCallbacks(const TransferOptions& options) : options_(options) {}
  TransferCallbacks(const TransferCallbacks&) = delete;
  TransferCallbacks& operator=(const TransferCallbacks&) = delete;

  // Points `callbacks` at this object; it must outlive the libgit2 call.
  void install(git_remote_callbacks& callbacks);

  bool cancelled() const { return options_.cancellation.cancelled(); }
  bool credentials_refused() const { return credentials_refused_; }
  // The remote's reason when it refused to update a ref during a push; "" when all were accepted.
  const std::string& push_rejection() const { return push_rejection_; }
  // Redacts the token from a message that may quote it.
  std::string scrub(std::string message) const;

 private:
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
  std::string push_rejection_;
};

}  // namespace benchtop::git
