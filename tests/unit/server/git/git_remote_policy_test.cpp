// Git never leaves the workspace and credentials go only where they were given for: remote URLs
// are parsed (not prefix-matched), only the transports the operator allows are used — checked on
// the URL libgit2 really connects to, after .git/config edits, insteadOf rewriting and pushurl —
// and the stored token is offered only over https to its own host, never on a redirect.
#include <git2.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "server/git/remote/git_transfer.h"
#include "server/git/remote/remote_url.h"
#include "tests/support/git_tools_fixture.h"
#include "tests/support/recording_http_server.h"

namespace benchtop::testing {
namespace {

struct Parsed {
  std::string url;
  std::string scheme;
  std::string host;
  std::string origin;  // "" = not a network URL
};

TEST(RemoteUrlTest, ParsesWhatLibgit2WillConnectTo) {
  const std::vector<Parsed> table = {
      {"https://github.com/a/b.git", "https", "github.com", "https://github.com"},
      {"HTTPS://GitHub.COM:443/a/b", "https", "github.com", "https://github.com"},
      {"https://git.example.com:8443/r", "https", "git.example.com",
       "https://git.example.com:8443"},
      {"https://[::1]:8443/r", "https", "::1", "https://[::1]:8443"},
      {"http://127.0.0.1/r", "http", "127.0.0.1", "http://127.0.0.1"},
      {"ssh://git@host.example/r.git", "ssh", "host.example", "ssh://host.example"},
      {"git+ssh://host.example:2222/r.git", "ssh", "host.example", "ssh://host.example:2222"},
      {"git@github.com:a/b.git", "ssh", "github.com", "ssh://github.com"},
      {"github.com:a/b.git", "ssh", "github.com", "ssh://github.com"},
      {"git://host.example/r", "git", "host.example", "git://host.example"},
      {"file:///srv/repo.git", "file", "", ""},
      {"FILE:///srv/repo.git", "file", "", ""},
      {"/srv/repo.git", "local", "", ""},
      {"../repo", "local", "", ""},
      {"repo", "local", "", ""},
      {"./a:b", "local", "", ""},
      {"ext::sh -c touch% /tmp/x", "ext", "", ""},
      {"EXT::sh", "ext", "", ""},
      {"fd::3", "fd", "", ""},
      {"foo://host/r", "foo", "host", "foo://host"},
  };
  for (const auto& row : table) {
    auto parsed = git::parse_remote_url(row.url);
    ASSERT_TRUE(parsed) << row.url << ": " << parsed.error().message;
    EXPECT_EQ(parsed->scheme, row.scheme) << row.url;
    EXPECT_EQ(parsed->host, row.host) << row.url;
    if (!row.origin.empty()) {
      EXPECT_EQ(parsed->origin(), row.origin) << row.url;
    }
  }
}

// Inputs two URL parsers could read as different hosts are refused, not guessed at.
TEST(RemoteUrlTest, AmbiguousAuthoritiesAreRefused) {
  for (const std::string url :
       {"https://evil.example?@github.com/r", "https://evil.example#@github.com/r",
        "https://evil.example\\@github.com/r", "https://a@b@github.com/r",
        "https://github.com%2eevil.example/r", "https:///r", "https://-oProxy/r",
        "https://host:99999/r", "https://host:x/r", "https://[zz]/r", "https://ho st/r",
        "https://host\n/r", "-host:r", ""}) {
    EXPECT_FALSE(git::parse_remote_url(url)) << url;
  }
}

TEST(TransportPolicyTest, OperatorListAndDefaults) {
  const auto defaults = git::TransportPolicy::defaults();
  EXPECT_TRUE(defaults.allows("https"));
  for (const char* scheme : {"http", "git", "file", "local", "ext"}) {
    EXPECT_FALSE(defaults.allows(scheme)) << scheme;
  }
  EXPECT_EQ(defaults.allows("ssh"), (git_libgit2_features() & GIT_FEATURE_SSH) != 0);
  auto parsed = git::TransportPolicy::parse(" https, HTTP ");
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->allows("http"));
  EXPECT_FALSE(parsed->allows("file"));
  auto file = git::TransportPolicy::parse("file");
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->allows("local"));  // like git's protocol.file.allow
  EXPECT_FALSE(git::TransportPolicy::parse("ext"));
  EXPECT_FALSE(git::TransportPolicy::parse("https,fd"));
  EXPECT_FALSE(git::TransportPolicy::parse(""));
}

TEST(CredentialBindingTest, OnlyOverHttpsToTheSameOrigin) {
  const std::string origin = "https://git.example.com";
  EXPECT_EQ(git::credential_withheld("https://git.example.com/a/b.git", origin), "");
  EXPECT_EQ(git::credential_withheld("HTTPS://Git.Example.com:443/a", origin), "");
  for (const std::string url :
       {"http://git.example.com/a", "https://git.example.com:8443/a", "https://evil.example/a",
        "https://git.example.com.evil.example/a", "https://u:p@git.example.com/a",
        "ssh://git.example.com/a", "https://git.example.com?@evil/a", "garbage"}) {
    EXPECT_NE(git::credential_withheld(url, origin), "") << url;
  }
  // A token stored before tokens had a host is not sent anywhere.
  EXPECT_NE(git::credential_withheld("https://git.example.com/a", ""), "");
}

TEST(GitSettingsRulesTest, ATokenIsBoundToAHostAndMovingTheHostDropsIt) {
  git::GitSettingsUpdate token_only;
  token_only.https_token = "t0k";
  EXPECT_FALSE(git::apply_settings_update({}, token_only));

  git::GitSettingsUpdate both = token_only;
  both.https_host = "Git.Example.com";
  auto bound = git::apply_settings_update({}, both);
  ASSERT_TRUE(bound) << bound.error().message;
  EXPECT_EQ(bound->https_host, "https://git.example.com");
  EXPECT_EQ(bound->https_token, "t0k");

  git::GitSettingsUpdate same_host;
  same_host.https_host = "https://git.example.com/owner/repo.git";
  EXPECT_EQ(git::apply_settings_update(*bound, same_host)->https_token, "t0k");

  git::GitSettingsUpdate elsewhere;
  elsewhere.https_host = "evil.example";
  auto moved = git::apply_settings_update(*bound, elsewhere);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->https_token, "");  // the host cannot be moved under an existing token

  git::GitSettingsUpdate plain_http;
  plain_http.https_host = "http://git.example.com";
  EXPECT_FALSE(git::apply_settings_update({}, plain_http));
}

// The default policy, on a repository whose "remote" is a repository on the server's host.
class GitRemotePolicyTest : public GitToolsTest {
 protected:
  GitRemotePolicyTest() : host_repo_(make_bare_repository(dirs_.base())) {}

  // True when the host repository has any branch (a push reached it).
  bool host_repo_has_refs() const {
    return std::filesystem::exists(host_repo_ / "refs" / "heads" / "main") ||
           std::filesystem::exists(host_repo_ / "packed-refs");
  }
  std::string config_text() const { return read_file(root() / ".git" / "config"); }

  std::filesystem::path host_repo_;
};

TEST_F(GitRemotePolicyTest, AddRefusesTransportsTheOperatorDidNotAllow) {
  init_with_commit();
  const std::vector<std::string> urls = {
      host_repo_.string(),
      "file://" + host_repo_.string(),
      "../remote.git",
      "remote.git",
      "ext::sh -c touch% /tmp/benchtop-ext-pwned",
      "git://127.0.0.1/r.git",
      "http://127.0.0.1/r.git",
      "svn://127.0.0.1/r",
  };
  for (const auto& url : urls) {
    const std::string message =
        refused("git_remote", {{"action", "add"}, {"name", "origin"}, {"url", url}});
    EXPECT_NE(message.find("Refused"), std::string::npos) << url << ": " << message;
  }
  EXPECT_EQ(config_text().find("[remote"), std::string::npos);
  EXPECT_NE(refused("git_push", json::object()).find("No remote"), std::string::npos);
  EXPECT_FALSE(host_repo_has_refs());
}

TEST_F(GitRemotePolicyTest, CredentialsInARemoteUrlNeverReachTheConfig) {
  init_with_commit();
  for (const std::string url :
       {"https://user:tok3n@example.invalid/r.git", "https://tok3n@example.invalid/r.git",
        "ssh://git:tok3n@example.invalid/r.git"}) {
    const std::string message =
        refused("git_remote", {{"action", "add"}, {"name", "origin"}, {"url", url}});
    EXPECT_NE(message.find("git_settings"), std::string::npos) << message;
    EXPECT_EQ(message.find("tok3n"), std::string::npos) << message;
  }
  EXPECT_EQ(config_text().find("tok3n"), std::string::npos);
}

// .git/config is in the workspace: whatever it says by the time of the transfer is what is
// checked — the url itself, a url.<base>.insteadOf / pushInsteadOf rewrite, or a pushurl.
TEST_F(GitRemotePolicyTest, AnEditedConfigIsCheckedWhenTheRemoteIsUsed) {
  init_with_commit();
  ok("git_remote", {{"action", "add"}, {"name", "origin"}, {"url", "https://example.invalid/r"}});
  struct Edit {
    std::string key;
    std::string value;
    bool push_only;
  };
  const std::vector<Edit> edits = {
      {"remote.origin.url", host_repo_.string(), false},
      {"remote.origin.url", "file://" + host_repo_.string(), false},
      {"url.file://" + host_repo_.string() + ".insteadOf", "https://example.invalid/r", false},
      {"remote.origin.pushurl", host_repo_.string(), true},
      {"url." + host_repo_.string() + ".pushInsteadOf", "https://example.invalid/r", true},
  };
  for (const auto& edit : edits) {
    // Each edit on its own, over a fresh https remote.
    ok("git_remote", {{"action", "remove"}, {"name", "origin"}});
    ok("git_remote", {{"action", "add"}, {"name", "origin"}, {"url", "https://example.invalid/r"}});
    set_config(edit.key, edit.value);
    if (!edit.push_only) {
      const std::string fetched = refused("git_fetch", json::object());
      EXPECT_NE(fetched.find("Refused"), std::string::npos) << edit.key << ": " << fetched;
      EXPECT_NE(refused("git_pull", json::object()).find("Refused"), std::string::npos);
    }
    const std::string pushed = refused("git_push", json::object());
    EXPECT_NE(pushed.find("Refused"), std::string::npos) << edit.key << ": " << pushed;
    EXPECT_FALSE(host_repo_has_refs()) << edit.key;
    // Undo the rewrite rules (they outlive the remote).
    if (edit.key.rfind("url.", 0) == 0) set_config(edit.key, std::nullopt);
  }
}

// https is allowed: nothing listens on the port, so the failure is the network's, not a refusal.
TEST_F(GitRemotePolicyTest, HttpsRemotesAreUsed) {
  init_with_commit();
  const std::string url = "https://127.0.0.1:" + std::to_string(closed_loopback_port()) + "/r.git";
  ok("git_remote", {{"action", "add"}, {"name", "origin"}, {"url", url}});
  for (const char* tool : {"git_fetch", "git_push"}) {
    const std::string message = refused(tool, json::object());
    EXPECT_EQ(message.find("Refused"), std::string::npos) << tool << ": " << message;
    EXPECT_NE(message.find("Cannot"), std::string::npos) << tool << ": " << message;
  }
}

// With plain http allowed by the operator, a server that asks for credentials still never gets
// the stored token: it is bound to https on its host.
class GitCredentialTest : public GitToolsTest {
 protected:
  GitCredentialTest() : GitToolsTest(*git::TransportPolicy::parse("https,http")) {}
  static std::string unauthorized(const std::string&) {
    return "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\n"
           "Content-Length: 0\r\nConnection: close\r\n\r\n";
  }
  static bool any_authorization(const std::vector<std::string>& requests) {
    for (const auto& head : requests) {
      std::string lower = head;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower.find("\nauthorization:") != std::string::npos) return true;
    }
    return false;
  }
};

TEST_F(GitCredentialTest, TheTokenIsNeverSentOverHttpOrToAnotherHost) {
  init_with_commit();
  RecordingHttpServer server(&GitCredentialTest::unauthorized);
  const std::string host = "127.0.0.1:" + std::to_string(server.port());
  ok("git_remote", {{"action", "add"}, {"name", "origin"}, {"url", "http://" + host + "/r.git"}});
  // Bound to the same host and port over https; to another host; and a token from before hosts.
  const std::vector<std::string> bindings = {"https://" + host, "https://git.example.com", ""};
  for (const auto& binding : bindings) {
    settings_.value.https_host = binding;
    settings_.value.https_token = "s3cr3t-token";
    for (const char* tool : {"git_fetch", "git_push"}) {
      const std::string message = refused(tool, json::object());
      EXPECT_EQ(message.find("s3cr3t-token"), std::string::npos) << message;
      EXPECT_NE(message.find("not sent"), std::string::npos) << binding << ": " << message;
    }
  }
  ASSERT_FALSE(server.requests().empty());
  EXPECT_FALSE(any_authorization(server.requests()));
}

// A redirect to another host is not followed (libgit2 follows one on the first request unless
// told not to, and http.followRedirects in .git/config could allow it throughout).
TEST_F(GitCredentialTest, RedirectsToAnotherHostAreNotFollowed) {
  init_with_commit();
  std::atomic<int> port = 0;
  RecordingHttpServer server([&port](const std::string&) {
    return "HTTP/1.1 302 Found\r\nLocation: http://localhost:" + std::to_string(port) +
           "/other.git/info/refs?service=git-upload-pack\r\nContent-Length: 0\r\n"
           "Connection: close\r\n\r\n";
  });
  port = server.port();
  ok("git_remote", {{"action", "add"},
                    {"name", "origin"},
                    {"url", "http://127.0.0.1:" + std::to_string(port) + "/r.git"}});
  set_config("http.followRedirects", "true");
  refused("git_fetch", json::object());
  EXPECT_EQ(server.requests().size(), 1u);
}

}  // namespace
}  // namespace benchtop::testing
