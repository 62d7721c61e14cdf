#include "server/sandbox/linux/seccomp_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <optional>

namespace benchtop {
namespace {

struct ContextDeleter {
  void operator()(void* context) const { seccomp_release(context); }
};
using Context = std::unique_ptr<void, ContextDeleter>;

// Denied outright. The list follows what Docker's default profile leaves to CAP_SYS_ADMIN and
// friends (which the sandbox never holds) and what flatpak blocks: mounting and the new mount API,
// kernel keyrings, eBPF, perf, userfaultfd (a classic race amplifier), module and kexec loading,
// handle-based opens (the "shocker" escape), swap, reboot, accounting, setting clocks, quotas, raw
// port I/O, entering other namespaces, kernel log reads and io_uring (much of the recent kernel CVE
// surface; Docker denies it too). ptrace stays allowed, as in Docker on kernels >= 4.8: inside the
// sandbox's own PID namespace it reaches only the sandbox's processes, and debuggers need it.
constexpr const char* kDenied[] = {
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "open_by_handle_at",
    "swapon",
    "swapoff",
    "reboot",
    "acct",
    "settimeofday",
    "stime",
    "clock_settime",
    "clock_adjtime",
    "quotactl",
    "quotactl_fd",
    "iopl",
    "ioperm",
    "setns",
    "syslog",
    "lookup_dcookie",
    "nfsservctl",
    "uselib",
    "_sysctl",
    "sysfs",
    "ustat",
    "vhangup",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "fanotify_init",
};

// Namespace creation: no new user namespace (the rest need capabilities the sandbox lacks, denied
// anyway as Docker does). CLONE_NEWTIME shares its bit with clone()'s exit signal, so it is
// checked for unshare only.
constexpr uint64_t kCloneNamespaces[] = {CLONE_NEWNS,   CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
                                         CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET};

// personality() flags that weaken memory protections.
constexpr uint64_t kRiskyPersonality[] = {READ_IMPLIES_EXEC, MMAP_PAGE_ZERO};

int syscall_number(const char* name) {
  return seccomp_syscall_resolve_name(name);
}

class FilterBuilder {
 public:
  explicit FilterBuilder(scmp_filter_ctx context) : context_(context) {}

  // Rules name system calls this libseccomp may not know on every architecture (or that do not
  // exist on this one, like umount on x86-64): those are skipped, not an error.
  void add(uint32_t action, const char* name, std::initializer_list<scmp_arg_cmp> conditions = {}) {
    const int number = syscall_number(name);
    if (number == __NR_SCMP_ERROR || number < 0) return;
    const int rc =
        seccomp_rule_add_array(context_, action, number, static_cast<unsigned>(conditions.size()),
                               conditions.size() ? conditions.begin() : nullptr);
    if (rc != 0 && error_.empty()) {
      error_ = std::string("seccomp rule for ") + name + ": " + std::strerror(-rc);
    }
  }
  const std::string& error() const { return error_; }

 private:
  scmp_filter_ctx context_;
  std::string error_;
};

scmp_arg_cmp bits_set(unsigned arg, uint64_t bits) {
  return scmp_arg_cmp{arg, SCMP_CMP_MASKED_EQ, bits, bits};
}

// systemd's RestrictSUIDSGID=: a file the sandbox creates lands on the host owned by the
// workspace's owner (root when benchtop runs as root), so it must never carry set-user-ID or
// set-group-ID bits. `arg` is the mode argument of each call; opens only with O_CREAT/O_TMPFILE.
void deny_setid_modes(FilterBuilder& filter) {
  const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
  for (const uint64_t bit : {uint64_t{S_ISUID}, uint64_t{S_ISGID}}) {
    filter.add(eperm, "chmod", {bits_set(1, bit)});
    filter.add(eperm, "fchmod", {bits_set(1, bit)});
    filter.add(eperm, "fchmodat", {bits_set(2, bit)});
    filter.add(eperm, "fchmodat2", {bits_set(2, bit)});
    filter.add(eperm, "mkdir", {bits_set(1, bit)});
    filter.add(eperm, "mkdirat", {bits_set(2, bit)});
    filter.add(eperm, "mknod", {bits_set(1, bit)});
    filter.add(eperm, "mknodat", {bits_set(2, bit)});
    filter.add(eperm, "creat", {bits_set(1, bit)});
    for (const uint64_t create : {uint64_t{O_CREAT}, uint64_t{__O_TMPFILE}}) {
      filter.add(eperm, "open", {bits_set(1, create), bits_set(2, bit)});
      filter.add(eperm, "openat", {bits_set(2, create), bits_set(3, bit)});
    }
  }
  // openat2 takes its mode in a struct the filter cannot read: ENOSYS makes libc and programs fall
  // back to openat, which is checked (systemd does the same).
  filter.add(SCMP_ACT_ERRNO(ENOSYS), "openat2");
}

Result<std::string> build_program() {
  Context context(seccomp_init(SCMP_ACT_ALLOW));
  if (!context) return Error::make("seccomp_init failed");
  // Only the native ABI: a 32-bit (int 0x80) or x32 system call would bypass rules written for
  // x86-64 numbers, so such a process is killed instead (gVisor does not offer them either).
  seccomp_attr_set(context.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);

  FilterBuilder filter(context.get());
  const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
  for (const char* name : kDenied) filter.add(eperm, name);
  for (const uint64_t flag : kCloneNamespaces) {
    filter.add(eperm, "clone", {bits_set(0, flag)});
    filter.add(eperm, "unshare", {bits_set(0, flag)});
  }
  filter.add(eperm, "unshare", {bits_set(0, CLONE_NEWTIME)});
  // clone3 passes its flags in a struct: ENOSYS makes glibc fall back to clone, which is checked
  // (Docker's answer too).
  filter.add(SCMP_ACT_ERRNO(ENOSYS), "clone3");
  // Faking terminal input into the controlling terminal (TIOCSTI) or driving the console
  // (TIOCLINUX). The command is an int: compare its low 32 bits only.
  for (const uint64_t request : {uint64_t{TIOCSTI}, uint64_t{TIOCLINUX}}) {
    filter.add(eperm, "ioctl", {scmp_arg_cmp{1, SCMP_CMP_MASKED_EQ, 0xffffffffu, request}});
  }
  // A risky personality flag is refused, but the query personality(0xffffffff) (every bit set) is
  // not: a rule per (risky bit, some other low bit clear) expresses "bit set and value is not the
  // query" with the one comparison per argument libseccomp allows.
  for (const uint64_t risky : kRiskyPersonality) {
    for (int other = 0; other < 32; ++other) {
      const uint64_t clear = uint64_t{1} << other;
      if (clear == risky) continue;
      filter.add(eperm, "personality", {scmp_arg_cmp{0, SCMP_CMP_MASKED_EQ, risky | clear, risky}});
    }
  }
  deny_setid_modes(filter);
  if (!filter.error().empty()) return Error::make(filter.error());

  UniqueFd memory(::memfd_create("benchtop-seccomp-build", MFD_CLOEXEC));
  if (!memory) return Error::make(std::string("memfd_create: ") + std::strerror(errno));
  if (const int rc = seccomp_export_bpf(context.get(), memory.get()); rc != 0) {
    return Error::make(std::string("seccomp_export_bpf: ") + std::strerror(-rc));
  }
  std::string program;
  char buffer[4096];
  ssize_t n;
  off_t offset = 0;
  while ((n = ::pread(memory.get(), buffer, sizeof buffer, offset)) > 0) {
    program.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
  if (n < 0)
    return Error::make(std::string("reading the seccomp program: ") + std::strerror(errno));
  return program;
}

}  // namespace

Result<std::string> sandbox_seccomp_program() {
  static std::once_flag once;
  static std::optional<Result<std::string>> program;
  std::call_once(once, [] { program.emplace(build_program()); });
  return *program;
}

Result<UniqueFd> memfd_holding(const char* name, const std::string& bytes) {
  UniqueFd fd(::memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd) return Error::make(std::string("memfd_create: ") + std::strerror(errno));
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error::make(std::string("writing a memfd: ") + std::strerror(errno));
    written += static_cast<size_t>(n);
  }
  // Sealed so that nothing sharing the descriptor can change what bwrap reads.
  ::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
  if (::lseek(fd.get(), 0, SEEK_SET) != 0) {
    return Error::make(std::string("lseek on a memfd: ") + std::strerror(errno));
  }
  return fd;
}

}  // namespace benchtop
