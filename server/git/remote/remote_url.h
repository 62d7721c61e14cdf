// What a git remote URL means: which transport libgit2 will use for it, and for a network URL the
// scheme, host and port it reaches. Used to decide whether a remote may be used at all (the
// operator's transport allow-list) and where a stored credential may be sent. Parsed strictly,
// never prefix-matched: anything two parsers could read differently (a '?', '#' or second '@'
// in the authority, a '%' in a host name) is refused rather than guessed.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "common/result.h"

namespace benchtop::git {

struct RemoteUrl {
  // "https", "http", "ssh" (ssh://, git+ssh://, ssh+git:// and scp-like user@host:path), "git",
  // "file", "local" (a path), "ext" or any other scheme or remote-helper name as written,
  // lowercase.
  std::string scheme;
  std::string user;           // from userinfo; "" when absent
  bool has_password = false;  // userinfo had a ':' part
  std::string host;           // lowercase; an IPv6 literal without its brackets; "" for local/file
  int port = 0;               // 0 = the scheme's default
  bool has_userinfo() const { return !user.empty() || has_password; }
  // "scheme://host[:port]" (the port only when it is not the default; IPv6 in brackets).
  std::string origin() const;
};

// How libgit2 will interpret `url`. Fails when it is malformed or ambiguous.
Result<RemoteUrl> parse_remote_url(std::string_view url);

// The transports the operator allows for clone, fetch, pull and push (git's protocol.allow, as a
// list). Local paths and file:// can read and change repositories on the server's host, and
// remote helpers (ext::) run commands, so neither is ever in the default.
class TransportPolicy {
 public:
  // https, plus ssh when this libgit2 was built with it.
  static TransportPolicy defaults();
  // From a comma-separated list of https, http, ssh, git, file (the operator's --git-protocols).
  static Result<TransportPolicy> parse(std::string_view list);
  explicit TransportPolicy(std::set<std::string> allowed) : allowed_(std::move(allowed)) {}

  bool allows(const std::string& scheme) const { return allowed_.count(scheme) > 0; }
  // "https, ssh"
  std::string describe() const;
  // Ok when `url` parses and its transport is allowed; otherwise an error saying which transport
  // it is and what is allowed, with the code "refused".
  Status check(std::string_view url) const;

 private:
  std::set<std::string> allowed_;
};

// Refuses a URL that carries credentials (user:password@ in http(s); a password anywhere):
// .git/config is readable by every tool and by code in the project, so a credential belongs in
// the project's git settings, bound to its host.
Status refuse_embedded_credentials(const RemoteUrl& url);

}  // namespace benchtop::git
