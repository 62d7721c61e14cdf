#include "server/sandbox/linux/host_identity.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace benchtop {
namespace {

Error errno_error(const std::string& what) {
  return Error::make(what + ": " + std::strerror(errno));
}

Status write_whole(const std::string& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return errno_error("open " + path);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return errno_error("write " + path);
  }
  return {};
}

// A user namespace whose only mapping is owner -> sandbox identity. A process must live in it
// while the maps are written and the namespace opened; it waits on a pipe and exits once the
// parent closes it.
Result<UniqueFd> make_idmap_namespace(uid_t owner_uid, gid_t owner_gid, uid_t uid, gid_t gid) {
  int ready[2], hold[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) return errno_error("pipe");
  UniqueFd ready_read(ready[0]), ready_write(ready[1]);
  if (::pipe2(hold, O_CLOEXEC) != 0) return errno_error("pipe");
  UniqueFd hold_read(hold[0]), hold_write(hold[1]);

  const pid_t pid = ::fork();
  if (pid < 0) return errno_error("fork");
  if (pid == 0) {
    // Only async-signal-safe calls: the parent is multithreaded.
    ::close(hold_write.get());  // else the read below never sees end of file
    const char status = ::unshare(CLONE_NEWUSER) == 0 ? 1 : 0;
    (void)!::write(ready_write.get(), &status, 1);
    char byte;
    (void)!::read(hold_read.get(), &byte, 1);
    ::_exit(0);
  }
  ready_write.reset();
  hold_read.reset();
  struct Reaper {
    pid_t pid;
    UniqueFd& hold;
    ~Reaper() {
      hold.reset();
      int status;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  } reaper{pid, hold_write};

  char status = 0;
  if (::read(ready_read.get(), &status, 1) != 1 || status != 1) {
    return Error::make("cannot create a user namespace for the idmapped workspace");
  }
  const std::string proc = "/proc/" + std::to_string(pid);
  if (auto s = write_whole(proc + "/uid_map",
                           std::to_string(owner_uid) + " " + std::to_string(uid) + " 1\n");
      !s) {
    return s.take_error();
  }
  if (auto s = write_whole(proc + "/gid_map",
                           std::to_string(owner_gid) + " " + std::to_string(gid) + " 1\n");
      !s) {
    return s.take_error();
  }
  UniqueFd ns(::open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns) return errno_error("open " + proc + "/ns/user");
  return ns;
}

}  // namespace

int enter_sandbox_identity(const IdentityDrop& drop) noexcept {
  // Private mounts: nothing below propagates back to the host.
  if (::unshare(CLONE_NEWNS) != 0) return errno;
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return errno;
  const int tree = static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, drop.workspace.c_str(),
                                              OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
  if (tree < 0) return errno;
  mount_attr attr{};
  // nosuid/nodev: even a set-id file that predates the sandbox does nothing when run from inside.
  attr.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  attr.userns_fd = static_cast<uint64_t>(drop.idmap_userns_fd);
  if (::syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) !=
      0) {
    const int err = errno;
    ::close(tree);
    return err;
  }
  if (::syscall(SYS_move_mount, tree, "", AT_FDCWD, drop.mount_point.c_str(),
                MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    const int err = errno;
    ::close(tree);
    return err;
  }
  ::close(tree);
  for (const auto& bind : drop.binds) {
    const int source = static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, bind.source.c_str(),
                                                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    if (source < 0) return errno;
    mount_attr plain{};
    plain.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    if (::syscall(SYS_mount_setattr, source, "", AT_EMPTY_PATH, &plain, sizeof plain) != 0 ||
        ::syscall(SYS_move_mount, source, "", AT_FDCWD, bind.target.c_str(),
                  MOVE_MOUNT_F_EMPTY_PATH) != 0) {
      const int err = errno;
      ::close(source);
      return err;
    }
    ::close(source);
  }
  return drop_identity(drop.uid, drop.gid);
}

int drop_identity(uid_t uid, gid_t gid) noexcept {
  // Raw system calls: in a forked child of a multithreaded process only this thread exists, and
  // libc's all-threads set*id machinery is not async-signal-safe.
  if (::syscall(SYS_setgroups, 0, nullptr) != 0) return errno;
  if (::syscall(SYS_setresgid, gid, gid, gid) != 0) return errno;
  if (::syscall(SYS_setresuid, uid, uid, uid) != 0) return errno;
  // The server's cwd may be a directory the sandbox identity cannot reach (/root).
  if (::chdir("/") != 0) return errno;
  return 0;
}

Result<int> IdmapNamespaces::for_owner(uid_t owner_uid, gid_t owner_gid) {
  std::lock_guard lock(mutex_);
  const auto key = std::make_pair(owner_uid, owner_gid);
  auto it = namespaces_.find(key);
  if (it == namespaces_.end()) {
    auto made = make_idmap_namespace(owner_uid, owner_gid, uid_, gid_);
    if (!made) return made.take_error();
    it = namespaces_.emplace(key, std::move(made).value()).first;
  }
  return it->second.get();
}

Status prepare_mount_point(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
    return errno_error("mkdir " + path.string());
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return errno_error("stat " + path.string());
  if (!S_ISDIR(st.st_mode) || st.st_uid != 0) {
    return Error::make(path.string() +
                       " must be a directory owned by root (it is the sandbox's workspace mount "
                       "point)");
  }
  if ((st.st_mode & 0755) != 0755 && ::chmod(path.c_str(), 0755) != 0) {
    return errno_error("chmod " + path.string());
  }
  return {};
}

Status prepare_file_mount_point(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd) return errno_error("open " + path.string());
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error("stat " + path.string());
  if (!S_ISREG(st.st_mode) || st.st_uid != 0) {
    return Error::make(path.string() + " must be a regular file owned by root (a mount point)");
  }
  if ((st.st_mode & 0644) != 0644 && ::fchmod(fd.get(), 0644) != 0) {
    return errno_error("chmod " + path.string());
  }
  return {};
}

}  // namespace benchtop
