#include "server/git/remote/remote_url.h"

#include <git2.h>

#include <algorithm>
#include <cctype>

#include "server/git/git_error.h"

namespace benchtop::git {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_scheme_char(char c, bool first) {
  if (std::isalpha(static_cast<unsigned char>(c))) return true;
  return !first &&
         (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.');
}

// Length of a leading "scheme" (letters, then letters, digits, + - .); 0 when there is none.
size_t scheme_length(std::string_view url) {
  size_t length = 0;
  while (length < url.size() && is_scheme_char(url[length], length == 0)) ++length;
  return length;
}

int default_port(const std::string& scheme) {
  if (scheme == "https") return 443;
  if (scheme == "http") return 80;
  if (scheme == "ssh") return 22;
  if (scheme == "git") return 9418;
  return 0;
}

Error malformed(std::string_view url, const std::string& why) {
  return Error::make("Cannot use the git URL '" + redact_url(url) + "': " + why + ".",
                     "invalid_argument");
}

bool valid_host_name(std::string_view host) {
  if (host.empty() || host.front() == '-' || host.front() == '.') return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

bool valid_ipv6(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
  });
}

// "[v6]" or "name", then an optional ":port". Fills host and port of `out`.
Status parse_host_port(std::string_view url, std::string_view hostport, bool allow_port,
                       RemoteUrl& out) {
  std::string_view rest;
  if (!hostport.empty() && hostport.front() == '[') {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos || !valid_ipv6(hostport.substr(1, close - 1))) {
      return malformed(url, "the IPv6 host is not valid");
    }
    out.host = lower(hostport.substr(1, close - 1));
    rest = hostport.substr(close + 1);
  } else {
    const size_t colon = hostport.find(':');
    out.host = lower(hostport.substr(0, colon));
    if (!valid_host_name(out.host)) return malformed(url, "the host name is not valid");
    rest = colon == std::string_view::npos ? std::string_view() : hostport.substr(colon);
  }
  if (rest.empty()) return {};
  if (!allow_port || rest.front() != ':' || rest.size() == 1 || rest.size() > 6) {
    return malformed(url, "the port is not valid");
  }
  int port = 0;
  for (char c : rest.substr(1)) {
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return malformed(url, "the port is not valid");
    port = port * 10 + (c - '0');
  }
  if (port < 1 || port > 65535) return malformed(url, "the port is not valid");
  out.port = port == default_port(out.scheme) ? 0 : port;
  return {};
}

// user[:password] of an authority.
void parse_userinfo(std::string_view userinfo, RemoteUrl& out) {
  const size_t colon = userinfo.find(':');
  out.user = std::string(userinfo.substr(0, colon));
  out.has_password = colon != std::string_view::npos;
}

// scheme://[userinfo@]host[:port][/path]
Result<RemoteUrl> parse_hierarchical(std::string_view url, std::string scheme,
                                     std::string_view rest) {
  RemoteUrl out;
  out.scheme = std::move(scheme);
  if (out.scheme == "ssh+git" || out.scheme == "git+ssh") out.scheme = "ssh";
  if (out.scheme == "file") return out;  // a path on this host, whatever follows
  const std::string_view authority = rest.substr(0, rest.find('/'));
  // Characters on which URL parsers disagree about where the authority ends, or which they
  // decode differently, are refused rather than interpreted.
  for (char c : authority) {
    if (c == '?' || c == '#' || c == '\\' || c == '%' ||
        std::isspace(static_cast<unsigned char>(c))) {
      return malformed(url, "its host part contains '" + std::string(1, c) + "'");
    }
  }
  const size_t at = authority.find('@');
  if (at != std::string_view::npos && authority.find('@', at + 1) != std::string_view::npos) {
    return malformed(url, "its host part contains more than one '@'");
  }
  std::string_view hostport = authority;
  if (at != std::string_view::npos) {
    parse_userinfo(authority.substr(0, at), out);
    hostport = authority.substr(at + 1);
  }
  if (auto status = parse_host_port(url, hostport, true, out); !status) return status.take_error();
  return out;
}

// [user@]host:path, the scp-like form git and libgit2 take as ssh.
Result<RemoteUrl> parse_scp_like(std::string_view url, size_t colon) {
  RemoteUrl out;
  out.scheme = "ssh";
  std::string_view hostpart = url.substr(0, colon);
  const size_t at = hostpart.rfind('@');
  if (at != std::string_view::npos) {
    parse_userinfo(hostpart.substr(0, at), out);
    if (out.user.find('@') != std::string::npos) {
      return malformed(url, "its host part contains more than one '@'");
    }
    hostpart = hostpart.substr(at + 1);
  }
  if (!hostpart.empty() && hostpart.front() == '[' && hostpart.back() == ']') {
    if (!valid_ipv6(hostpart.substr(1, hostpart.size() - 2))) {
      return malformed(url, "the IPv6 host is not valid");
    }
    out.host = lower(hostpart.substr(1, hostpart.size() - 2));
    return out;
  }
  if (auto status = parse_host_port(url, hostpart, false, out); !status) {
    return status.take_error();
  }
  return out;
}

}  // namespace

std::string RemoteUrl::origin() const {
  std::string text = scheme + "://";
  text += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != 0) text += ":" + std::to_string(port);
  return text;
}

Result<RemoteUrl> parse_remote_url(std::string_view url) {
  if (url.empty()) return malformed(url, "it is empty");
  for (char c : url) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return malformed(url, "it contains a control character");
    }
  }
  const size_t scheme = scheme_length(url);
  if (scheme > 0 && url.substr(scheme, 3) == "://") {
    return parse_hierarchical(url, lower(url.substr(0, scheme)), url.substr(scheme + 3));
  }
  if (scheme > 0 && url.substr(scheme, 2) == "::") {
    // git's remote-helper syntax (ext::<command>, fd::...): never a network address.
    RemoteUrl out;
    out.scheme = lower(url.substr(0, scheme));
    return out;
  }
  // libgit2 takes any other URL containing ':' for ssh, and git does when the ':' comes before
  // the first '/'; a URL that only one of them would call ssh is a local path to git: refused.
  const size_t colon = url.find(':');
  const size_t slash = url.find('/');
  if (colon != std::string_view::npos && colon > 0 &&
      (slash == std::string_view::npos || colon < slash)) {
    return parse_scp_like(url, colon);
  }
  RemoteUrl out;
  out.scheme = "local";
  return out;
}

TransportPolicy TransportPolicy::defaults() {
  std::set<std::string> allowed = {"https"};
  if (git_libgit2_features() & GIT_FEATURE_SSH) allowed.insert("ssh");
  return TransportPolicy(std::move(allowed));
}

Result<TransportPolicy> TransportPolicy::parse(std::string_view list) {
  std::set<std::string> allowed;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string name = lower(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    name.erase(
        std::remove_if(name.begin(), name.end(), [](unsigned char c) { return std::isspace(c); }),
        name.end());
    if (name.empty()) continue;
    if (name != "https" && name != "http" && name != "ssh" && name != "git" && name != "file") {
      return Error::make("unknown git transport '" + name +
                             "' (choose from https, http, ssh, git, file; remote helpers such "
                             "as ext:: are never allowed)",
                         "invalid_argument");
    }
    if (name == "ssh" && !(git_libgit2_features() & GIT_FEATURE_SSH)) {
      return Error::make("this libgit2 was built without ssh support", "invalid_argument");
    }
    allowed.insert(name);
    // As in git's protocol.file.allow: a plain path is the same local transport as file://.
    if (name == "file") allowed.insert("local");
  }
  if (allowed.empty()) return Error::make("no git transport given", "invalid_argument");
  return TransportPolicy(std::move(allowed));
}

std::string TransportPolicy::describe() const {
  std::string text;
  for (const auto& name : allowed_) {
    if (name != "local") text += (text.empty() ? "" : ", ") + name;
  }
  return text;
}

Status TransportPolicy::check(std::string_view url) const {
  auto parsed = parse_remote_url(url);
  if (!parsed) return parsed.take_error();
  if (allows(parsed->scheme)) return {};
  std::string what;
  if (parsed->scheme == "local" || parsed->scheme == "file") {
    what = "a path on the server's host";
  } else if (parsed->scheme == "http" || parsed->scheme == "git") {
    what = "unencrypted " + parsed->scheme + "://";
  } else {
    what = "the '" + parsed->scheme + "' transport";
  }
  return Error::make("Refused: the git remote '" + redact_url(url) + "' is " + what +
                         ". This server only uses remotes over " + describe() +
                         " (the operator's --git-protocols); use a URL such as "
                         "https://host/owner/repo.git.",
                     "refused");
}

Status refuse_embedded_credentials(const RemoteUrl& url) {
  const bool web = url.scheme == "https" || url.scheme == "http";
  if (url.has_password || (web && url.has_userinfo())) {
    return Error::make(
        "Refused: the URL carries credentials, which would be stored in .git/config where "
        "every tool and the project's code can read them. Pass the URL without 'user:token@' "
        "and store the token with git_settings (https_token with https_host), which sends it "
        "only to that host.",
        "refused");
  }
  return {};
}

}  // namespace benchtop::git
