#include "server/sandbox/workspace_disk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"
#include "server/process/host_program.h"

namespace benchtop {

namespace {

constexpr int64_t kMiB = 1024 * 1024;
// mkfs.ext4 needs room for its metadata and journal; below this a workspace is barely usable.
constexpr int64_t kSmallestImage = 16 * kMiB;

std::string errno_text(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

// std::nullopt when the directory cannot be read.
std::optional<bool> directory_is_empty(const std::filesystem::path& directory) {
  UniqueFd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return std::nullopt;
  DIR* stream = ::fdopendir(fd.get());
  if (stream == nullptr) return std::nullopt;
  fd.release();  // the stream owns it now
  bool empty = true;
  while (const dirent* entry = ::readdir(stream)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") {
      empty = false;
      break;
    }
  }
  ::closedir(stream);
  return empty;
}

}  // namespace

bool is_mount_root(const std::filesystem::path& path) {
  struct statx info {};
  if (::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &info) != 0) {
    return false;
  }
  return (info.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 &&
         (info.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
}

DiskReport UnlimitedDisk::report(const std::filesystem::path&) const {
  DiskReport report;
  report.note = "disk: not limited (" + why_ + ")";
  return report;
}

Result<std::unique_ptr<ImageDisk>> ImageDisk::open(Options options) {
  if (options.size_bytes < kSmallestImage) {
    return Error::make(
        "a workspace disk must hold at least " + std::to_string(kSmallestImage / kMiB) + " MiB",
        "invalid_argument");
  }
  if (::geteuid() != 0) {
    return Error::make(
        "benchtop is not running as root, so it cannot mount a file-system image per workspace",
        "unavailable");
  }
  if (::access("/dev/loop-control", R_OK | W_OK) != 0) {
    return Error::make("this host has no usable /dev/loop-control (loop devices)", "unavailable");
  }
  if (::access(options.mkfs.c_str(), X_OK) != 0) {
    return Error::make(options.mkfs.string() + " not found: install Debian's e2fsprogs package",
                       "unavailable");
  }
  if (::access(options.mount.c_str(), X_OK) != 0) {
    return Error::make(options.mount.string() + " not found: install Debian's mount package",
                       "unavailable");
  }
  return std::unique_ptr<ImageDisk>(new ImageDisk(std::move(options)));
}

std::filesystem::path ImageDisk::image_of(const std::string& project_id) const {
  return options_.images_dir / (project_id + ".ext4");
}

std::shared_ptr<std::mutex> ImageDisk::project_lock(const std::string& project_id) {
  std::lock_guard lock(locks_mutex_);
  auto& entry = project_locks_[project_id];
  if (!entry) entry = std::make_shared<std::mutex>();
  return entry;
}

Status ImageDisk::create_image(const std::string& project_id) const {
  if (::mkdir(options_.images_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error::make(errno_text("cannot create " + options_.images_dir.string()), "io_error");
  }
  // Built under another name and renamed when complete, so an image that exists is whole.
  const std::filesystem::path partial = options_.images_dir / (project_id + ".ext4.partial");
  ::unlink(partial.c_str());
  {
    UniqueFd file(
        ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!file) return Error::make(errno_text("cannot create " + partial.string()), "io_error");
    // Sparse: the image takes host space only as the workspace fills.
    if (::ftruncate(file.get(), options_.size_bytes) != 0) {
      const Error error = Error::make(errno_text("cannot size " + partial.string()), "io_error");
      ::unlink(partial.c_str());
      return error;
    }
  }
  // No blocks reserved for root (every writer in the sandbox is the same user); lazy init so
  // making the file system writes little and takes milliseconds.
  auto made =
      run_host_program({options_.mkfs.string(), "-q", "-F", "-m", "0", "-L", "workspace", "-E",
                        "lazy_itable_init=1,lazy_journal_init=1,nodiscard", partial.string()},
                       std::chrono::seconds(60));
  if (!made || ::rename(partial.c_str(), image_of(project_id).c_str()) != 0) {
    const Error error =
        made ? Error::make(errno_text("cannot rename " + partial.string()), "io_error")
             : made.error();
    ::unlink(partial.c_str());
    return error;
  }
  return {};
}

Status ImageDisk::mount_image(const std::filesystem::path& image,
                              const std::filesystem::path& workspace, bool fresh) const {
  // nosuid and nodev hold even for the file system's own view: nothing written into a workspace
  // can become a set-id program or a device node on the host.
  auto mounted = run_host_program({options_.mount.string(), "-t", "ext4", "-o",
                                   "loop,nosuid,nodev,noatime", image.string(), workspace.string()},
                                  std::chrono::seconds(30));
  if (!mounted) return mounted.take_error();
  // A new workspace starts empty, as a plain directory would; fsck recreates lost+found when it
  // needs one.
  if (fresh) ::rmdir((workspace / "lost+found").c_str());
  return {};
}

Status ImageDisk::attach(const std::string& project_id, const std::filesystem::path& workspace) {
  const auto lock_holder = project_lock(project_id);
  std::lock_guard lock(*lock_holder);
  if (is_mount_root(workspace)) return {};
  const std::optional<bool> empty = directory_is_empty(workspace);
  if (!empty) return Error::make(errno_text("cannot read " + workspace.string()), "io_error");
  const std::filesystem::path image = image_of(project_id);
  struct stat image_info {};
  const bool have_image = ::lstat(image.c_str(), &image_info) == 0;
  if (!have_image) {
    // A workspace made before the cap was set keeps its files where they are, unlimited, and is
    // reported so; moving them into an image is left to the operator.
    if (!*empty) return {};
    if (auto created = create_image(project_id); !created) return created;
    if (auto mounted = mount_image(image, workspace, true); !mounted) {
      ::unlink(image.c_str());
      return mounted;
    }
    return {};
  }
  if (!S_ISREG(image_info.st_mode)) {
    return Error::make(image.string() + " is not a regular file", "io_error");
  }
  // Mounting over files would hide them: something wrote into the bare directory while the
  // image was not mounted (after a reboot, before the server came up).
  if (!*empty) {
    return Error::make("the workspace " + workspace.string() +
                           " holds files outside its disk image " + image.string() +
                           "; move them away, then restart benchtop",
                       "io_error");
  }
  return mount_image(image, workspace, false);
}

Status ImageDisk::discard(const std::string& project_id, const std::filesystem::path& workspace) {
  const auto lock_holder = project_lock(project_id);
  {
    std::lock_guard lock(*lock_holder);
    // Detached rather than unmounted: a process still holding a file keeps the file system alive
    // until it exits, and the loop device is freed after that (mount sets autoclear).
    if (is_mount_root(workspace) &&
        ::umount2(workspace.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0) {
      return Error::make(errno_text("cannot unmount " + workspace.string()), "io_error");
    }
    if (::unlink(image_of(project_id).c_str()) != 0 && errno != ENOENT) {
      return Error::make(errno_text("cannot delete " + image_of(project_id).string()), "io_error");
    }
  }
  std::lock_guard lock(locks_mutex_);
  project_locks_.erase(project_id);
  return {};
}

DiskReport ImageDisk::report(const std::filesystem::path& workspace) const {
  DiskReport report;
  struct statvfs info {};
  if (!is_mount_root(workspace) || ::statvfs(workspace.c_str(), &info) != 0) {
    report.note =
        "disk: not limited (only workspaces benchtop creates get a disk image; this one is a "
        "registered directory or was made before the cap was set)";
    return report;
  }
  report.enforced = true;
  report.limit_bytes = static_cast<int64_t>(info.f_blocks) * static_cast<int64_t>(info.f_frsize);
  report.used_bytes =
      static_cast<int64_t>(info.f_blocks - info.f_bfree) * static_cast<int64_t>(info.f_frsize);
  report.note = "disk: the workspace is a file system of its own (" +
                std::to_string(options_.size_bytes / kMiB) +
                " MiB); writing beyond it fails with 'No space left on device'";
  return report;
}

std::string ImageDisk::describe() const {
  return "workspace disk: each new managed workspace is an ext4 image of " +
         std::to_string(options_.size_bytes / kMiB) + " MiB";
}

std::unique_ptr<WorkspaceDisk> make_workspace_disk(const std::filesystem::path& images_dir,
                                                   int64_t size_mb) {
  if (size_mb <= 0) return std::make_unique<UnlimitedDisk>("no cap is set: --workspace-disk-mb 0");
  ImageDisk::Options options;
  options.images_dir = images_dir;
  options.size_bytes = size_mb * kMiB;
  auto disk = ImageDisk::open(std::move(options));
  if (!disk) {
    return std::make_unique<UnlimitedDisk>(
        disk.error().message + "; commands can fill the host file system", true);
  }
  return std::move(disk).value();
}

}  // namespace benchtop
