// Network for a sandbox is the operator's to allow and the user's to confirm, and even then the
// sandbox has its own namespace with user-mode networking and no way to the host itself: not its
// loopback (where benchtop's own HTTP port listens), not through the gateway address, not any
// other address of the host. Also: devcontainer_ensure cannot raise the operator's limits.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "common/unique_fd.h"
#include "server/mcp/registry/tool_registry.h"
#include "tests/support/sandbox_test_support.h"
#include "tools/exec/exec_tools.h"
#include "transport/http_server.h"

namespace benchtop::testing {
namespace {

using nlohmann::json;

bool contains(const std::vector<std::string>& argv, const std::string& word) {
  return std::find(argv.begin(), argv.end(), word) != argv.end();
}

// The guard is installed for the uid the sandbox really runs as.
constexpr uid_t kSandboxId = kDefaultSandboxHostId;

SandboxNetworkOptions without_pasta() {
  SandboxNetworkOptions options;
  options.pasta = "/nonexistent/pasta";
  return options;
}

// The command line of `true` in a project marked networked.
std::vector<std::string> networked_argv(std::shared_ptr<const SandboxNetwork> network) {
  BwrapOptions options;
  options.network = std::move(network);
  BwrapBackend backend(CgroupHost{}, "t", options);
  ContainerSpec spec;
  spec.workspace = "/srv/ws";
  spec.network = true;
  return backend.argv_for(spec, {"/bin/true"});
}

TEST(SandboxNetworkCommandLine, WithoutUserModeNetworkingTheHostNamespaceIsNeverShared) {
  // The operator did not allow network (no SandboxNetwork), or it is unusable here: a project
  // marked networked still gets a namespace of its own.
  for (auto network : {std::shared_ptr<const SandboxNetwork>(),
                       SandboxNetwork::prepare(without_pasta(), kSandboxId, kSandboxId)}) {
    const auto argv = networked_argv(network);
    EXPECT_EQ(argv.front(), BwrapOptions{}.bwrap.string());
    EXPECT_TRUE(contains(argv, "--unshare-all"));
    EXPECT_FALSE(contains(argv, "--share-net"));
  }
  auto missing = SandboxNetwork::prepare(without_pasta(), kSandboxId, kSandboxId);
  EXPECT_FALSE(missing->available());
  EXPECT_NE(missing->describe().find("passt"), std::string::npos);
}

TEST(SandboxNetworkCommandLine, PastaWrapsBubblewrapWithoutForwardsOrGatewayMapping) {
  auto network = SandboxNetwork::prepare({}, kSandboxId, kSandboxId);
  if (!network->available()) GTEST_SKIP() << network->unavailable_reason();
  const auto argv = networked_argv(network);
  const auto at = [&](const std::string& word) {
    return std::distance(argv.begin(), std::find(argv.begin(), argv.end(), word));
  };
  const auto bwrap = at(BwrapOptions{}.bwrap.string());
  ASSERT_LT(bwrap, static_cast<long>(argv.size()));
  EXPECT_LT(at("/usr/bin/pasta"), bwrap);
  EXPECT_EQ(argv[bwrap - 1], "--");
  EXPECT_GT(at("--share-net"), bwrap) << "bubblewrap shares pasta's fresh namespace only";
  EXPECT_LT(at("--no-map-gw"), bwrap);
  EXPECT_LT(at("--config-net"), bwrap);
  for (const char* flag : {"-t", "-u", "-T", "-U"}) {
    const auto position = at(flag);
    ASSERT_LT(position + 1, bwrap) << flag;
    EXPECT_EQ(argv[position + 1], "none") << flag;
  }
  // pasta comes first: as root, the spawned child drops to the sandbox identity before exec
  // (host_identity.h), so pasta and every socket it opens on the host run as that uid; no
  // setuid wrapper is needed.
  EXPECT_EQ(argv.front(), "/usr/bin/pasta");
}

TEST(SandboxNetworkGuard, ScriptRefusesHostLocalDestinationsForTheSandboxIdentityOnly) {
  const std::string script = local_address_guard_script(4242);
  EXPECT_NE(script.find("add table inet benchtop"), std::string::npos);
  EXPECT_NE(script.find("hook output"), std::string::npos);
  EXPECT_NE(script.find("meta skuid @sandbox_uids fib daddr type local reject"), std::string::npos);
  EXPECT_NE(script.find("{ 4242 }"), std::string::npos);
  // Installing twice keeps one rule (flush + add in one transaction).
  EXPECT_LT(script.find("flush chain inet benchtop output"),
            script.find("add rule inet benchtop output"));
}

// --- the operator's flag and limits, through the manager and the tool -----------------------

using SandboxOperatorLimitsTest = SandboxToolFixture;

TEST_F(SandboxOperatorLimitsTest, NetworkIsRefusedWithoutTheOperatorsFlag) {
  ContainerSettings settings;
  settings.network = true;
  auto refused = manager_->ensure("alpha", settings);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "network_not_allowed");
  EXPECT_NE(refused.error().message.find("--allow-sandbox-network"), std::string::npos);

  register_exec_tools(registry_, *manager_);
  auto tool =
      call("devcontainer_ensure", {{"project", "alpha"}, {"network", true}, {"confirm", "alpha"}});
  EXPECT_TRUE(tool.is_error);
  EXPECT_NE(text_of(tool).find("--allow-sandbox-network"), std::string::npos);
  auto status = manager_->status("alpha");
  ASSERT_TRUE(status.ok());
  EXPECT_FALSE(status->network);
}

TEST_F(SandboxOperatorLimitsTest, TheToolIsMarkedOpenWorld) {
  register_exec_tools(registry_, *manager_);
  for (const auto& tool : registry_.list()) {
    if (tool["name"] != "devcontainer_ensure") continue;
    EXPECT_EQ(tool["annotations"].value("openWorldHint", true), true);
    return;
  }
  ADD_FAILURE() << "devcontainer_ensure not listed";
}

TEST_F(SandboxOperatorLimitsTest, WithTheFlagTheUserMustConfirm) {
  close_manager();
  ContainerManagerOptions options;
  options.allow_network = true;
  open_manager(options);
  register_exec_tools(registry_, *manager_);

  // Without elicitation: the confirm argument, and only the project's exact name, decides.
  for (const json& arguments :
       {json{{"project", "alpha"}, {"network", true}},
        json{{"project", "alpha"}, {"network", true}, {"confirm", "beta"}}}) {
    auto refused = call("devcontainer_ensure", arguments);
    EXPECT_TRUE(refused.is_error) << arguments;
    EXPECT_NE(text_of(refused).find("confirm"), std::string::npos) << text_of(refused);
  }
  // With elicitation the user is asked, and a decline wins over the model's confirm argument.
  ToolContext context({}, {}, json{{"elicitation", json::object()}}, "2025-11-25");
  int asked = 0;
  ToolContext::ClientChannel channel;
  channel.request = [&](const std::string& method, const json&,
                        const std::string&) -> Result<json> {
    EXPECT_EQ(method, "elicitation/create");
    ++asked;
    return json{{"action", "decline"}};
  };
  context.set_client_channel(std::move(channel));
  auto declined = call("devcontainer_ensure",
                       {{"project", "alpha"}, {"network", true}, {"confirm", "alpha"}}, context);
  EXPECT_TRUE(declined.is_error);
  EXPECT_EQ(asked, 1);
  auto status = manager_->status("alpha");
  ASSERT_TRUE(status.ok());
  EXPECT_FALSE(status->network);
}

TEST_F(SandboxOperatorLimitsTest, LimitsAboveTheOperatorsAreRefusedAndStoredOnesBounded) {
  close_manager();
  ContainerManagerOptions options;
  options.default_limits = {512LL * 1024 * 1024, 100, 500};
  open_manager(options);
  register_exec_tools(registry_, *manager_);
  struct Case {
    json arguments;
    bool accepted;
  };
  const std::vector<Case> cases = {
      {{{"memory_mb", 1048576}, {"cpus", 64}}, false},  // the review's request
      {{{"memory_mb", 513}}, false},
      {{{"pids", 101}}, false},
      {{{"cpus", 0.6}}, false},
      {{{"memory_mb", 512}, {"pids", 100}, {"cpus", 0.5}}, true},
      {{{"memory_mb", 64}, {"pids", 50}, {"cpus", 0.25}}, true},
  };
  for (const auto& test : cases) {
    json arguments = test.arguments;
    arguments["project"] = "alpha";
    auto result = call("devcontainer_ensure", arguments);
    EXPECT_EQ(result.is_error, !test.accepted) << arguments << ": " << text_of(result);
    if (!test.accepted) {
      EXPECT_NE(text_of(result).find("at most"), std::string::npos);
    }
  }
  auto status = manager_->status("alpha");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->limits.memory_bytes, 64LL * 1024 * 1024);

  // A row saved under looser flags is held to the operator's current ones.
  close_manager();
  options.default_limits = {2048LL * 1024 * 1024, 1000, 4000};
  open_manager(options);
  ContainerSettings big;
  big.memory_bytes = 2048LL * 1024 * 1024;
  big.cpu_millis = 4000;
  ASSERT_TRUE(manager_->ensure("alpha", big).ok());
  close_manager();
  options.default_limits = {256LL * 1024 * 1024, 100, 1000};
  open_manager(options);
  status = manager_->status("alpha");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->limits.memory_bytes, 256LL * 1024 * 1024);
  EXPECT_EQ(status->limits.cpu_millis, 1000);
}

// --- real networked sandboxes (root, pasta and /dev/net/tun needed) --------------------------

struct Listener {
  UniqueFd fd;
  int port = 0;

  static Listener on(const std::string& address) {
    Listener listener;
    listener.fd = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in socket_address{};
    socket_address.sin_family = AF_INET;
    ::inet_pton(AF_INET, address.c_str(), &socket_address.sin_addr);
    auto* raw = reinterpret_cast<sockaddr*>(&socket_address);
    if (::bind(listener.fd.get(), raw, sizeof socket_address) != 0 ||
        ::listen(listener.fd.get(), 16) != 0) {
      return listener;
    }
    socklen_t length = sizeof socket_address;
    ::getsockname(listener.fd.get(), raw, &length);
    listener.port = ntohs(socket_address.sin_port);
    return listener;
  }
};

// Every IPv4 address of this host's interfaces.
std::vector<std::string> host_ipv4_addresses() {
  std::vector<std::string> addresses;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return addresses;
  for (ifaddrs* entry = list; entry; entry = entry->ifa_next) {
    if (!entry->ifa_addr || entry->ifa_addr->sa_family != AF_INET) continue;
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(entry->ifa_addr)->sin_addr, text,
                sizeof text);
    addresses.push_back(text);
  }
  ::freeifaddrs(list);
  return addresses;
}

// A TEST-NET-2 address put on the host's loopback interface for the test, so that it is local
// to the host: the sandbox's gateway. Traffic to it never leaves the machine.
class HostLocalAddress {
 public:
  HostLocalAddress() {
    for (int attempt = 0; attempt < 40 && address_.empty(); ++attempt) {
      const std::string candidate =
          "198.51.100." + std::to_string(10 + (::getpid() + attempt * 7) % 200);
      if (std::system(("ip addr add " + candidate + "/32 dev lo 2>/dev/null").c_str()) == 0) {
        address_ = candidate;
      }
    }
  }
  ~HostLocalAddress() {
    if (!address_.empty()) (void)std::system(("ip addr del " + address_ + "/32 dev lo").c_str());
  }
  HostLocalAddress(const HostLocalAddress&) = delete;
  HostLocalAddress& operator=(const HostLocalAddress&) = delete;
  const std::string& address() const { return address_; }

 private:
  std::string address_;
};

class NetworkedSandboxTest : public SandboxOperatorLimitsTest {
 protected:
  void SetUp() override {
    SandboxFixture::SetUp();
    if (IsSkipped()) return;
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (the nftables guard and a test address)";
    if (gateway_.address().empty()) GTEST_SKIP() << "could not add a test address to lo";
    // The sandbox gets its own TEST-NET-2 address, and the host-local test address as gateway,
    // so that nothing this test sends can leave the machine.
    SandboxNetworkOptions network;
    network.pasta_args = {"-a", "198.51.100.254", "-n", "24", "-g", gateway_.address()};
    BwrapOptions bwrap;
    bwrap.network = SandboxNetwork::prepare(network, bwrap.host_uid, bwrap.host_gid);
    if (!bwrap.network->available()) GTEST_SKIP() << bwrap.network->unavailable_reason();
    // pasta, and bubblewrap under it, run as the unprivileged host identity, which cannot
    // traverse the 0700 test directory: the sandbox reaches its workspace only through the
    // idmapped mount its spawn attaches before dropping privileges.
    close_manager();
    ContainerManagerOptions options;
    options.allow_network = true;
    open_manager(options, bwrap);
    register_exec_tools(registry_, *manager_);
    auto enabled = call("devcontainer_ensure",
                        {{"project", "alpha"}, {"network", true}, {"confirm", "alpha"}});
    if (enabled.is_error && text_of(enabled).find("pasta") != std::string::npos) {
      GTEST_SKIP() << text_of(enabled);
    }
    ASSERT_FALSE(enabled.is_error) << text_of(enabled);
    ASSERT_EQ((*enabled.structured)["network"], true);
  }

  // The targets ("ADDRESS/PORT") the sandbox reached, one per line.
  std::string reached_from_sandbox(const std::vector<std::string>& targets) {
    std::string command;
    // A connection the guard allows is made at once; one it refuses may hang until the timeout
    // (2 s each), and the call's deadline leaves room for every target to do so.
    for (const auto& target : targets) {
      command += "if timeout 2 bash -c 'exec 3<>/dev/tcp/" + target +
                 "' 2>/dev/null; then echo reached " + target + "; fi; ";
    }
    const auto result = exec("alpha", command + "echo done",
                             std::chrono::seconds(10 + 3 * static_cast<int64_t>(targets.size())));
    EXPECT_EQ(result.exit_code.value_or(-1), 0) << result.stderr_text;
    return result.stdout_text;
  }

  HostLocalAddress gateway_;
};

TEST_F(NetworkedSandboxTest, HasItsOwnInterfaceAndADefaultRoute) {
  const auto result = exec("alpha",
                           "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | grep -vx lo; "
                           "awk '$2 == \"00000000\" { print \"default via\", $1 }' "
                           "/proc/net/route");
  EXPECT_NE(result.stdout_text.find("default via"), std::string::npos) << result.stdout_text;
  EXPECT_GT(result.stdout_text.find("default via"), 0u) << "an interface besides lo";
  auto status = call("devcontainer_status", {{"project", "alpha"}});
  EXPECT_NE(text_of(status).find("pasta"), std::string::npos) << text_of(status);
}

// pasta sits between the spawn and bubblewrap; everything else about the sandbox stays: the
// dedicated host uid (pasta's too), the seccomp filter, no nested user namespaces, and the
// idmapped workspace (the test directory is 0700, so only the mount reaches it).
TEST_F(NetworkedSandboxTest, KeepsTheHostIdentitySeccompFilterAndIdmappedWorkspace) {
  auto result = exec("alpha",
                     "grep '^Seccomp:' /proc/self/status; unshare -Ur true 2>/dev/null && "
                     "echo nested userns; echo made > from-networked.txt && id -u");
  EXPECT_EQ(result.stdout_text, "Seccomp:\t2\n1000\n") << result.stderr_text;
  struct stat st {};
  ASSERT_EQ(::stat((alpha_.root / "from-networked.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, ::geteuid()) << "files made inside belong to the workspace's owner";

  auto process = manager_->start_process("alpha", {"exec sleep 987622", "", {}});
  ASSERT_TRUE(process.ok()) << process.error().message;
  pid_t sleeper = -1;
  ASSERT_TRUE(eventually(
      [&] { return (sleeper = find_host_process(std::string("sleep\0987622\0", 13))) > 0; }));
  const std::string id = std::to_string(kSandboxId);
  const std::string expected = "\t" + id + "\t" + id + "\t" + id + "\t" + id;
  EXPECT_EQ(host_uids(sleeper), expected) << "the sandboxed process";
  // The project's pasta: it runs the sandbox (bubblewrap, then the supervisor) and sits in the
  // project's cgroup.
  pid_t pasta = -1;
  for (int pid : ProjectCgroup::existing(CgroupHost::detect(), "benchtop-test", alpha_.id).pids()) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.rfind("/usr/bin/pasta", 0) == 0 && text.find(kSupervisorInside) != text.npos) {
      pasta = pid;
    }
  }
  ASSERT_GT(pasta, 0);
  EXPECT_EQ(host_uids(pasta), expected) << "pasta, whose sockets the nftables guard judges";
  (void)manager_->kill_process("alpha", process->id, SIGKILL);
}

// Network is a property of the sandbox's namespace: switching it makes the sandbox again, so the
// project's processes all have it or all lack it.
TEST_F(NetworkedSandboxTest, SwitchingNetworkRemakesTheSandbox) {
  // The interfaces of the sandbox's network namespace.
  const std::string interfaces = "awk -F: 'NR > 2 { gsub(/ /, \"\", $1); print $1 }' /proc/net/dev";
  EXPECT_NE(exec("alpha", interfaces).stdout_text, "lo\n");
  auto off = call("devcontainer_ensure", {{"project", "alpha"}, {"network", false}});
  ASSERT_FALSE(off.is_error) << text_of(off);
  EXPECT_EQ(exec("alpha", interfaces).stdout_text, "lo\n");
  auto on =
      call("devcontainer_ensure", {{"project", "alpha"}, {"network", true}, {"confirm", "alpha"}});
  ASSERT_FALSE(on.is_error) << text_of(on);
  EXPECT_NE(exec("alpha", interfaces).stdout_text, "lo\n");
}

TEST_F(NetworkedSandboxTest, HostLoopbackGatewayAndHostAddressesAreUnreachable) {
  const Listener loopback = Listener::on("127.0.0.1");
  const Listener on_gateway = Listener::on(gateway_.address());
  const Listener everywhere = Listener::on("0.0.0.0");
  ASSERT_GT(loopback.port, 0);
  ASSERT_GT(on_gateway.port, 0);
  ASSERT_GT(everywhere.port, 0);
  std::vector<std::string> targets = {
      "127.0.0.1/" + std::to_string(loopback.port),
      // The gateway address, mapped to the host's loopback unless --no-map-gw.
      gateway_.address() + "/" + std::to_string(loopback.port),
      // A service on another address of the host.
      gateway_.address() + "/" + std::to_string(on_gateway.port),
  };
  for (const auto& address : host_ipv4_addresses()) {
    targets.push_back(address + "/" + std::to_string(everywhere.port));
  }
  EXPECT_EQ(reached_from_sandbox(targets), "done\n");
}

TEST_F(NetworkedSandboxTest, BenchtopsOwnHttpPortIsUnreachable) {
  HttpServer::Options options;
  options.port = 0;
  options.threads = 4;
  HttpServer server(options, [](const HttpRequest&) { return HttpResponse::json(200, "{}"); });
  auto port = server.bind();
  ASSERT_TRUE(port.ok()) << port.error().message;
  std::thread serving([&server] { server.run(); });
  const std::string suffix = "/" + std::to_string(*port);
  const auto reached = reached_from_sandbox(
      {"127.0.0.1" + suffix, gateway_.address() + suffix, "127.0.0.2" + suffix});
  server.stop();
  serving.join();
  EXPECT_EQ(reached, "done\n");
}

}  // namespace
}  // namespace benchtop::testing
