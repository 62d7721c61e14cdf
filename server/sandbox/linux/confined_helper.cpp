#include "server/sandbox/linux/confined_helper.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "common/log.h"
#include "server/process/exec_loop.h"
#include "server/process/running_command.h"
#include "server/process/spawned_process.h"
#include "server/sandbox/linux/bwrap_system.h"
#include "server/sandbox/linux/host_identity.h"
#include "server/sandbox/linux/seccomp_filter.h"

namespace benchtop {
namespace fs = std::filesystem;
namespace {

constexpr rlim_t kOpenFiles = 64;
constexpr std::chrono::milliseconds kProbeTimeout{10'000};

// What the child does between fork and exec; only system calls, no allocation.
struct ChildSetup {
  rlim_t memory_bytes = 0;
  rlim_t cpu_seconds = 0;
  bool drop_root = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string filter;  // a BPF program to load here; empty when bubblewrap loads it

  int apply() const noexcept {
    const struct {
      int resource;
      rlim_t value;
    } limits[] = {{RLIMIT_AS, memory_bytes},
                  {RLIMIT_CPU, cpu_seconds},
                  {RLIMIT_FSIZE, 0},
                  {RLIMIT_CORE, 0},
                  {RLIMIT_NOFILE, kOpenFiles}};
    for (const auto& limit : limits) {
      const rlimit value{limit.value, limit.value};
      if (::setrlimit(limit.resource, &value) != 0) return errno;
    }
    if (drop_root) {
      if (const int failed = drop_identity(uid, gid); failed != 0) return failed;
    }
    if (!filter.empty()) {
      if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
      sock_fprog program{};
      program.len = static_cast<unsigned short>(filter.size() / sizeof(sock_filter));
      program.filter = reinterpret_cast<sock_filter*>(const_cast<char*>(filter.data()));
      if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) return errno;
    }
    return 0;
  }
};

bool under_usr(const fs::path& path) {
  auto part = path.begin();
  return part != path.end() && *part == "/" && ++part != path.end() && *part == "usr";
}

}  // namespace

ConfinedHelper::ConfinedHelper(ConfinedHelperOptions options)
    : options_(std::move(options)), drops_root_(::geteuid() == 0) {}

std::vector<std::string> ConfinedHelper::bwrap_argv(const std::vector<std::string>& argv,
                                                    int seccomp_fd) const {
  std::vector<std::string> out = {
      options_.bwrap.string(),    "--unshare-all",     "--unshare-user", "--disable-userns",
      "--assert-userns-disabled", "--die-with-parent", "--new-session"};
  const auto system = bwrap_host_system_args();
  out.insert(out.end(), system.begin(), system.end());
  out.insert(out.end(), {"--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"});
  // A program installed outside /usr is bound alone (its libraries must be under /usr).
  if (!argv.empty() && !under_usr(argv.front())) {
    out.insert(out.end(), {"--ro-bind", argv.front(), argv.front()});
  }
  out.insert(out.end(), {"--chdir", "/", "--clearenv"});
  if (seccomp_fd >= 0) out.insert(out.end(), {"--seccomp", std::to_string(seccomp_fd)});
  out.insert(out.end(), {"--cap-drop", "ALL", "--remount-ro", "/", "--"});
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

bool ConfinedHelper::namespaces() {
  if (!options_.use_bwrap) return false;
  std::lock_guard lock(probe_mutex_);
  if (bwrap_works_) return *bwrap_works_;
  std::error_code ec;
  const fs::path truth = fs::canonical("/bin/true", ec);
  if (::access(options_.bwrap.c_str(), X_OK) != 0 || ec) {
    bwrap_failure_ = options_.bwrap.string() + " not found";
  } else {
    ExecRequest request;
    request.timeout = kProbeTimeout;
    auto ran = start({truth.string()}, true, request, CancellationToken(), {});
    if (!ran) {
      bwrap_failure_ = ran.error().message;
    } else if (ran->exit_code != 0) {
      bwrap_failure_ = ran->stderr_text.empty() ? "bubblewrap failed" : ran->stderr_text;
      while (!bwrap_failure_.empty() && bwrap_failure_.back() == '\n') bwrap_failure_.pop_back();
    }
  }
  bwrap_works_ = bwrap_failure_.empty();
  if (!*bwrap_works_) {
    log::warning("helper programs (ctags) run without namespaces: " + bwrap_failure_);
  }
  return *bwrap_works_;
}

Result<ExecResult> ConfinedHelper::start(const std::vector<std::string>& argv, bool in_bwrap,
                                         ExecRequest request, const CancellationToken& cancellation,
                                         const OutputSink& on_output) {
  auto filter = sandbox_seccomp_program();
  if (!filter) return filter.take_error();
  auto setup = std::make_shared<ChildSetup>();
  setup->memory_bytes = options_.memory_bytes;
  setup->cpu_seconds =
      static_cast<rlim_t>(std::chrono::ceil<std::chrono::seconds>(request.timeout).count() + 1);
  setup->drop_root = drops_root_;
  setup->uid = options_.host_uid;
  setup->gid = options_.host_gid;
  if (drops_root_ && (setup->uid == 0 || setup->gid == 0)) {
    return Error::make("a helper's host uid and gid must not be 0 (root)", "unavailable");
  }

  SpawnOptions spawn;
  spawn.cwd = "/";
  UniqueFd seccomp_fd;
  if (in_bwrap) {
    auto memfd = memfd_holding("seccomp", *filter);
    if (!memfd) return memfd.take_error();
    seccomp_fd = std::move(memfd).value();
    spawn.argv = bwrap_argv(argv, seccomp_fd.get());
    spawn.keep_fds = {seccomp_fd.get()};
  } else {
    spawn.argv = argv;
    setup->filter = std::move(filter).value();
  }
  spawn.before_exec = [setup] { return setup->apply(); };
  auto process = SpawnedProcess::spawn(spawn);
  if (!process) return process.take_error();
  seccomp_fd.reset();  // the child has its own copy
  LocalCommand command(std::move(process).value());
  return run_to_completion(command, request, cancellation, on_output, false);
}

Result<ExecResult> ConfinedHelper::run(HelperRun run, const CancellationToken& cancellation,
                                       const OutputSink& on_output) {
  if (run.argv.empty()) return Error::make("no program to run", "invalid_argument");
  std::error_code ec;
  const fs::path program = fs::canonical(run.argv.front(), ec);
  if (ec) return Error::make(run.argv.front() + " not found", "not_found");
  std::vector<std::string> argv = std::move(run.argv);
  argv.front() = program.string();
  ExecRequest request;
  request.stdin_data = std::move(run.stdin_data);
  request.timeout = run.timeout;
  request.output_limit = run.output_limit;
  return start(argv, namespaces(), std::move(request), cancellation, on_output);
}

std::string ConfinedHelper::describe() {
  std::string layers =
      namespaces() ? "bubblewrap (only /usr visible, no network)"
                   : "no namespaces (" +
                         (options_.use_bwrap ? bwrap_failure_ : std::string("turned off")) + ")";
  layers += ", seccomp filter, resource limits";
  if (drops_root_) layers += ", host uid " + std::to_string(options_.host_uid);
  return layers;
}

}  // namespace benchtop
