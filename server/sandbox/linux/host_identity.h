// The host identity of sandboxed processes when benchtop runs as root. bubblewrap maps the
// sandbox's user to whoever starts it, so started by root it would map to host root: files made
// inside would be root's (set-id copies of an interpreter included) and root-only host files
// readable. Instead, the child that becomes bubblewrap first gives itself a private mount
// namespace with an idmapped copy of the workspace (the workspace owner's files appear as the
// sandbox identity, and what the sandbox creates lands on disk as the owner), then drops to that
// unprivileged uid/gid before exec. bubblewrap then makes its own user namespace on top, as for
// any unprivileged user.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"

namespace benchtop {

// The host uid/gid of sandboxed processes when benchtop runs as root: high, owning nothing, above
// the ranges distributions hand to users (1000-60000), systemd (61184-65519, DynamicUser) and
// systemd-nspawn containers (up to 0x6FFFFFFF), below 2^31.
inline constexpr uid_t kDefaultSandboxHostId = 2000000000;

// What the child does between fork and exec (everything in it is async-signal-safe).
struct IdentityDrop {
  std::string workspace;    // host path of the workspace
  std::string mount_point;  // where the idmapped workspace appears, in the child's namespace only
  int idmap_userns_fd = -1;
  uid_t uid = 0;
  gid_t gid = 0;
  // More host paths bound (nosuid, nodev, not idmapped) onto mount points the sandbox identity
  // can reach, for what lives where it cannot (under /root): the project's home directory and
  // the supervisor program.
  struct Bind {
    std::string source;
    std::string target;
  };
  std::vector<Bind> binds;
};

// Private mount namespace, idmapped nosuid/nodev workspace at `mount_point`, the binds, then no
// supplementary
// groups, gid and uid set to the sandbox identity (which clears every capability), cwd "/".
// Returns 0, or the errno of the step that failed.
int enter_sandbox_identity(const IdentityDrop& drop) noexcept;

// Only the last step of that: no supplementary groups, gid and uid set to `uid`/`gid` (which
// clears every capability), cwd "/". For helpers that see no workspace. Async-signal-safe;
// returns 0 or the errno of the step that failed.
int drop_identity(uid_t uid, gid_t gid) noexcept;

// User namespaces that map a workspace owner's uid/gid to the sandbox identity, for
// mount_setattr(MOUNT_ATTR_IDMAP); made once per owner and kept for the server's lifetime.
class IdmapNamespaces {
 public:
  IdmapNamespaces(uid_t uid, gid_t gid) : uid_(uid), gid_(gid) {}
  // The namespace for a workspace owned by owner_uid:owner_gid (borrowed fd, valid while this
  // object lives).
  Result<int> for_owner(uid_t owner_uid, gid_t owner_gid);

 private:
  uid_t uid_;
  gid_t gid_;
  std::mutex mutex_;
  std::map<std::pair<uid_t, gid_t>, UniqueFd> namespaces_;
};

// Makes `path` a root-owned directory that every user can traverse, refusing a symlink or a
// directory someone else owns (it becomes a mount point in the children's namespaces).
Status prepare_mount_point(const std::filesystem::path& path);
// The same for a file mount point: an empty root-owned file every user can read.
Status prepare_file_mount_point(const std::filesystem::path& path);

}  // namespace benchtop
