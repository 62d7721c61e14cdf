// How much a project may write: the kernel's bound on a managed workspace's disk space.
//
// cgroups bound memory, processes and CPU but not disk, and the root file system here carries no
// project quotas, so a cap needs a file system of its own: when benchtop runs as root, each managed
// workspace is an ext4 image (sparse, so it costs only what is written) loop-mounted nosuid,nodev
// on the workspace directory. A command that fills it gets ENOSPC; the host file system is not
// touched. Where that cannot be done, the disk is reported as not limited rather than assumed.
//
// The images live in <data dir>/disks, outside every workspace, and are written only through the
// kernel's mount, never directly by anything a project runs. Mounts outlive the server (a second
// benchtop on the same data directory, or a restart, finds them in place); a project's deletion
// unmounts and deletes its image.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "common/result.h"

namespace benchtop {

struct DiskReport {
  bool enforced = false;
  int64_t limit_bytes = 0;  // what the workspace can hold in all; 0 when not enforced
  std::optional<int64_t> used_bytes;
  std::string note;  // "disk: ..." for devcontainer_status
};

class WorkspaceDisk {
 public:
  virtual ~WorkspaceDisk() = default;
  // Makes the existing, empty or already attached `workspace` directory of managed project
  // `project_id` hold its files within the cap. Idempotent; safe to call from several threads.
  virtual Status attach(const std::string& project_id, const std::filesystem::path& workspace) = 0;
  // Before a managed workspace is deleted: detaches and deletes what attach made, leaving the
  // directory (then empty) for the caller to remove.
  virtual Status discard(const std::string& project_id, const std::filesystem::path& workspace) = 0;
  virtual DiskReport report(const std::filesystem::path& workspace) const = 0;
  // One line for the server's log: the cap, or why there is none.
  virtual std::string describe() const = 0;
  // Why a cap the operator asked for cannot be enforced; nothing when it is, or when none was
  // asked for (--workspace-disk-mb 0). The start-up warnings name it.
  virtual std::optional<std::string> unenforced_cap() const { return std::nullopt; }
};

// No cap, and the reason why, reported as such. `cap_requested`: the operator asked for one and
// the host cannot enforce it (rather than no cap being set).
class UnlimitedDisk final : public WorkspaceDisk {
 public:
  explicit UnlimitedDisk(std::string why, bool cap_requested = false)
      : why_(std::move(why)), cap_requested_(cap_requested) {}
  Status attach(const std::string&, const std::filesystem::path&) override { return {}; }
  Status discard(const std::string&, const std::filesystem::path&) override { return {}; }
  DiskReport report(const std::filesystem::path&) const override;
  std::string describe() const override { return "workspace disk: not limited (" + why_ + ")"; }
  std::optional<std::string> unenforced_cap() const override {
    if (!cap_requested_) return std::nullopt;
    return why_;
  }

 private:
  std::string why_;
  bool cap_requested_ = false;
};

// One loop-mounted ext4 image per managed workspace. Requires root.
class ImageDisk final : public WorkspaceDisk {
 public:
  struct Options {
    std::filesystem::path images_dir;  // created 0700 on first use
    int64_t size_bytes = 0;
    std::filesystem::path mkfs = "/usr/sbin/mkfs.ext4";
    std::filesystem::path mount = "/usr/bin/mount";
  };
  // Checks what the images need (root, /dev/loop-control, the two programs) and says what is
  // missing otherwise.
  static Result<std::unique_ptr<ImageDisk>> open(Options options);

  Status attach(const std::string& project_id, const std::filesystem::path& workspace) override;
  Status discard(const std::string& project_id, const std::filesystem::path& workspace) override;
  DiskReport report(const std::filesystem::path& workspace) const override;
  std::string describe() const override;

  std::filesystem::path image_of(const std::string& project_id) const;

 private:
  explicit ImageDisk(Options options) : options_(std::move(options)) {}
  Status create_image(const std::string& project_id) const;
  Status mount_image(const std::filesystem::path& image, const std::filesystem::path& workspace,
                     bool fresh) const;
  std::shared_ptr<std::mutex> project_lock(const std::string& project_id);

  Options options_;
  // One lock per project, so attaching one workspace (mkfs, mount) never waits for another's.
  std::mutex locks_mutex_;
  std::map<std::string, std::shared_ptr<std::mutex>> project_locks_;
};

// The disk for `--workspace-disk-mb`: images when `size_mb` > 0 and the host allows them,
// otherwise an UnlimitedDisk saying why.
std::unique_ptr<WorkspaceDisk> make_workspace_disk(const std::filesystem::path& images_dir,
                                                   int64_t size_mb);

// True when `path` is the root of a mount (its own file system), without following a symlink.
bool is_mount_root(const std::filesystem::path& path);

}  // namespace benchtop
