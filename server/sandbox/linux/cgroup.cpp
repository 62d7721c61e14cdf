#include "server/sandbox/linux/cgroup.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/parse_number.h"

namespace benchtop {
namespace fs = std::filesystem;
namespace {

std::optional<std::string> read_text(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool write_text(const fs::path& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return false;
  return ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

std::optional<int64_t> read_number(const fs::path& path) {
  auto text = read_text(path);
  if (!text) return std::nullopt;
  std::string_view number = *text;
  while (!number.empty() && (number.back() == '\n' || number.back() == ' ')) {
    number.remove_suffix(1);
  }
  return parse_integer<int64_t>(number);
}

// A "key value" line of a flat-keyed file such as cpu.stat or cgroup.events.
std::optional<int64_t> read_key(const fs::path& path, const std::string& key) {
  auto text = read_text(path);
  if (!text) return std::nullopt;
  std::istringstream in(*text);
  std::string name;
  int64_t value = 0;
  while (in >> name >> value) {
    if (name == key) return value;
  }
  return std::nullopt;
}

std::vector<int> read_pids(const fs::path& procs) {
  std::vector<int> pids;
  auto text = read_text(procs);
  if (!text) return pids;
  std::istringstream in(*text);
  int pid = 0;
  while (in >> pid) pids.push_back(pid);
  return pids;
}

// Waits for the kernel (freezing, killing) with a deadline. The kernel offers no portable
// notification for v1, so this polls with a short pause.
template <typename Condition>
bool wait_until(Condition condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

bool make_dir(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  return fs::is_directory(path, ec);
}

}  // namespace

CgroupHost CgroupHost::detect(const fs::path& mount_root) {
  CgroupHost host;
  std::error_code ec;
  if (fs::exists(mount_root / "cgroup.controllers", ec)) {
    host.unified = mount_root;
  } else if (fs::exists(mount_root / "unified" / "cgroup.controllers", ec)) {
    host.unified = mount_root / "unified";
  }
  if (host.unified) {
    std::istringstream in(read_text(*host.unified / "cgroup.controllers").value_or(""));
    std::string name;
    while (in >> name) host.unified_controllers.push_back(name);
  }
  const std::pair<const char*, const char*> v1_probes[] = {{"memory", "memory.limit_in_bytes"},
                                                           {"pids", "cgroup.procs"},
                                                           {"cpu", "cpu.cfs_quota_us"},
                                                           {"cpuacct", "cpuacct.usage"},
                                                           {"freezer", "cgroup.procs"}};
  for (const auto& [name, probe] : v1_probes) {
    const fs::path dir = mount_root / name;
    // Root groups lack most control files (no pids.max, no freezer.state): a mount with
    // cgroup.procs is the sign for those.
    if (host.unified && *host.unified == mount_root) break;
    if (fs::exists(dir / probe, ec)) host.v1[name] = dir;
  }
  return host;
}

bool CgroupHost::unified_has(const std::string& controller) const {
  return std::find(unified_controllers.begin(), unified_controllers.end(), controller) !=
         unified_controllers.end();
}

std::string CgroupHost::describe() const {
  if (unified && v1.empty()) return "v2";
  if (unified) return "hybrid";
  if (!v1.empty()) return "v1";
  return "none";
}

ProjectCgroup ProjectCgroup::existing(const CgroupHost& host, const std::string& parent,
                                      const std::string& name) {
  ProjectCgroup group;
  std::error_code ec;
  if (host.unified && fs::is_directory(*host.unified / parent / name, ec)) {
    group.unified_ = *host.unified / parent / name;
  }
  for (const auto& [controller, mount] : host.v1) {
    if (fs::is_directory(mount / parent / name, ec)) group.v1_[controller] = mount / parent / name;
  }
  return group;
}

ProjectCgroup ProjectCgroup::open(const CgroupHost& host, const std::string& parent,
                                  const std::string& name, const ContainerLimits& limits) {
  ProjectCgroup group;
  if (host.unified) {
    const fs::path parent_dir = *host.unified / parent;
    if (make_dir(parent_dir / name)) {
      group.unified_ = parent_dir / name;
      // Controllers must be delegated down the path before the group's files appear.
      for (const char* controller : {"memory", "pids", "cpu"}) {
        if (!host.unified_has(controller)) continue;
        write_text(*host.unified / "cgroup.subtree_control", std::string("+") + controller);
        write_text(parent_dir / "cgroup.subtree_control", std::string("+") + controller);
      }
      std::error_code ec;
      group.unified_memory_ = fs::exists(*group.unified_ / "memory.max", ec);
      group.unified_pids_ = fs::exists(*group.unified_ / "pids.max", ec);
      group.unified_cpu_ = fs::exists(*group.unified_ / "cpu.max", ec);
    } else {
      group.notes_.push_back("cannot create " + (parent_dir / name).string() +
                             " (benchtop needs root or a delegated cgroup)");
    }
  }
  for (const auto& [controller, mount] : host.v1) {
    const bool needed = (controller == "memory" && !group.unified_memory_) ||
                        (controller == "pids" && !group.unified_pids_) ||
                        (controller == "cpu" && !group.unified_cpu_) ||
                        (controller == "cpuacct" && !group.unified_) ||
                        (controller == "freezer" && !group.unified_);
    if (!needed) continue;
    if (make_dir(mount / parent / name)) {
      group.v1_[controller] = mount / parent / name;
    } else {
      group.notes_.push_back("cannot create the v1 " + controller + " group under " +
                             mount.string());
    }
  }
  group.apply_limits(limits);
  return group;
}

void ProjectCgroup::apply_limits(const ContainerLimits& limits) {
  enforced_.clear();
  auto note_missing = [this](const std::string& what) {
    notes_.push_back(what + " limit not enforced: no usable " + what + " controller on this host");
  };
  const auto v1 = [this](const char* controller) -> std::optional<fs::path> {
    auto it = v1_.find(controller);
    if (it == v1_.end()) return std::nullopt;
    return it->second;
  };

  // memory
  {
    const std::string bytes = limits.memory_bytes > 0 ? std::to_string(limits.memory_bytes) : "";
    bool ok = false;
    if (unified_memory_) {
      ok = write_text(*unified_ / "memory.max", bytes.empty() ? "max" : bytes);
      // Without this a hog pushes the host into swap instead of being stopped.
      write_text(*unified_ / "memory.swap.max", "0");
    } else if (auto dir = v1("memory")) {
      ok = write_text(*dir / "memory.limit_in_bytes", bytes.empty() ? "-1" : bytes);
      write_text(*dir / "memory.memsw.limit_in_bytes", bytes.empty() ? "-1" : bytes);
    }
    if (ok && limits.memory_bytes > 0) enforced_.push_back("memory");
    if (!ok) note_missing("memory");
  }
  // pids
  {
    const std::string max = limits.pids > 0 ? std::to_string(limits.pids) : "max";
    bool ok = false;
    if (unified_pids_) {
      ok = write_text(*unified_ / "pids.max", max);
    } else if (auto dir = v1("pids")) {
      ok = write_text(*dir / "pids.max", max);
    }
    if (ok && limits.pids > 0) enforced_.push_back("pids");
    if (!ok) note_missing("pids");
  }
  // cpu: a quota of cpu_millis/1000 CPUs per 100 ms period
  {
    constexpr int64_t kPeriod = 100'000;
    const int64_t quota = limits.cpu_millis * kPeriod / 1000;
    bool ok = false;
    if (unified_cpu_) {
      ok = write_text(*unified_ / "cpu.max",
                      (limits.cpu_millis > 0 ? std::to_string(quota) : std::string("max")) + " " +
                          std::to_string(kPeriod));
    } else if (auto dir = v1("cpu")) {
      ok = write_text(*dir / "cpu.cfs_period_us", std::to_string(kPeriod)) &&
           write_text(*dir / "cpu.cfs_quota_us",
                      limits.cpu_millis > 0 ? std::to_string(quota) : std::string("-1"));
    }
    if (ok && limits.cpu_millis > 0) enforced_.push_back("cpu");
    if (!ok) note_missing("cpu");
  }
  if (can_freeze()) enforced_.push_back("freeze");
  if (unified_ || v1_.count("pids") || v1_.count("freezer")) enforced_.push_back("tree-kill");
}

std::vector<UniqueFd> ProjectCgroup::join_fds() const {
  Birthplace place = birthplace();
  std::vector<UniqueFd> fds;
  if (place.unified_procs) fds.push_back(std::move(place.unified_procs));
  for (auto& fd : place.v1_tasks) fds.push_back(std::move(fd));
  return fds;
}

ProjectCgroup::Birthplace ProjectCgroup::birthplace() const {
  Birthplace place;
  if (unified_) {
    place.unified_dir.reset(::open(unified_->c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    place.unified_procs.reset(::open((*unified_ / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
  }
  for (const auto& [controller, dir] : v1_) {
    UniqueFd fd(::open((dir / "tasks").c_str(), O_WRONLY | O_CLOEXEC));
    if (fd) place.v1_tasks.push_back(std::move(fd));
  }
  return place;
}

bool ProjectCgroup::can_freeze() const {
  std::error_code ec;
  return (unified_ && fs::exists(*unified_ / "cgroup.freeze", ec)) || v1_.count("freezer");
}

bool ProjectCgroup::frozen() const {
  std::error_code ec;
  if (unified_ && fs::exists(*unified_ / "cgroup.freeze", ec)) {
    return read_key(*unified_ / "cgroup.events", "frozen").value_or(0) == 1;
  }
  if (auto it = v1_.find("freezer"); it != v1_.end()) {
    return read_text(it->second / "freezer.state").value_or("").rfind("FROZEN", 0) == 0;
  }
  return false;
}

bool ProjectCgroup::freeze_requested() const {
  std::error_code ec;
  if (unified_ && fs::exists(*unified_ / "cgroup.freeze", ec)) {
    return read_text(*unified_ / "cgroup.freeze").value_or("").rfind('1', 0) == 0;
  }
  if (auto it = v1_.find("freezer"); it != v1_.end()) {
    const std::string state = read_text(it->second / "freezer.state").value_or("");
    return state.rfind("FROZEN", 0) == 0 || state.rfind("FREEZING", 0) == 0;
  }
  return false;
}

Status ProjectCgroup::freeze(bool frozen_wanted) {
  std::error_code ec;
  if (unified_ && fs::exists(*unified_ / "cgroup.freeze", ec)) {
    if (!write_text(*unified_ / "cgroup.freeze", frozen_wanted ? "1" : "0")) {
      return Error::make("cannot write cgroup.freeze");
    }
  } else if (auto it = v1_.find("freezer"); it != v1_.end()) {
    if (!write_text(it->second / "freezer.state", frozen_wanted ? "FROZEN" : "THAWED")) {
      return Error::make("cannot write freezer.state");
    }
  } else {
    return Error::make("this host has no cgroup freezer, so the container cannot be suspended",
                       "unsupported");
  }
  if (!wait_until([&] { return frozen() == frozen_wanted; }, std::chrono::seconds(5))) {
    return Error::make(std::string("the kernel did not finish ") +
                       (frozen_wanted ? "freezing" : "thawing") + " the container within 5 s");
  }
  return {};
}

std::vector<int> ProjectCgroup::pids() const {
  if (unified_) return read_pids(*unified_ / "cgroup.procs");
  for (const char* controller : {"pids", "freezer", "memory", "cpu"}) {
    if (auto it = v1_.find(controller); it != v1_.end())
      return read_pids(it->second / "cgroup.procs");
  }
  return {};
}

Status ProjectCgroup::kill_all() {
  // An empty group is left alone: besides saving the work, a group that was ever killed through
  // cgroup.kill is one some kernels (6.18 among them) kill every process created into with
  // clone3(CLONE_INTO_CGROUP), which is how a sandbox's supervisor is started.
  if (pids().empty()) return {};
  std::error_code ec;
  if (unified_ && fs::exists(*unified_ / "cgroup.kill", ec)) {
    write_text(*unified_ / "cgroup.kill", "1");
  } else {
    // Without cgroup.kill a process could fork between reading the list and the kill: freeze
    // first (when possible) so the list is stable, kill, then thaw so the signals are delivered.
    const bool freezable = can_freeze();
    for (int round = 0; round < 50; ++round) {
      auto list = pids();
      if (list.empty()) break;
      if (freezable) (void)freeze(true);
      for (int pid : pids()) ::kill(pid, SIGKILL);
      if (freezable) (void)freeze(false);
    }
  }
  if (!wait_until([&] { return pids().empty(); }, std::chrono::seconds(5))) {
    return Error::make("processes of the container survived SIGKILL for 5 s");
  }
  return {};
}

ContainerUsage ProjectCgroup::usage() const {
  ContainerUsage usage;
  const auto v1 = [this](const char* controller) -> std::optional<fs::path> {
    auto it = v1_.find(controller);
    if (it == v1_.end()) return std::nullopt;
    return it->second;
  };
  if (unified_memory_) {
    usage.memory_bytes = read_number(*unified_ / "memory.current");
  } else if (auto dir = v1("memory")) {
    usage.memory_bytes = read_number(*dir / "memory.usage_in_bytes");
  }
  if (unified_pids_) {
    usage.pids = read_number(*unified_ / "pids.current");
  } else if (auto dir = v1("pids")) {
    usage.pids = read_number(*dir / "pids.current");
  }
  if (unified_) {
    usage.cpu_usec = read_key(*unified_ / "cpu.stat", "usage_usec");
  } else if (auto dir = v1("cpuacct")) {
    if (auto ns = read_number(*dir / "cpuacct.usage")) usage.cpu_usec = *ns / 1000;
  }
  return usage;
}

ProjectCgroup ProjectCgroup::child(const std::string& name) const {
  ProjectCgroup group;
  if (unified_ && make_dir(*unified_ / name)) group.unified_ = *unified_ / name;
  for (const auto& [controller, dir] : v1_) {
    if (make_dir(dir / name)) group.v1_[controller] = dir / name;
  }
  return group;
}

void ProjectCgroup::remove() {
  // Groups below this one first (commands' own): a directory with children cannot be removed.
  std::map<std::string, ProjectCgroup> children;
  auto collect = [&children](const fs::path& dir, const std::string& controller) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (!entry.is_directory(ec) || entry.is_symlink(ec)) continue;
      auto& child = children[entry.path().filename().string()];
      if (controller.empty()) {
        child.unified_ = entry.path();
      } else {
        child.v1_[controller] = entry.path();
      }
    }
  };
  if (unified_) collect(*unified_, "");
  for (const auto& [controller, dir] : v1_) collect(dir, controller);
  for (auto& [name, child] : children) child.remove();

  if (unified_) write_text(*unified_ / "cgroup.freeze", "0");
  if (auto it = v1_.find("freezer"); it != v1_.end())
    write_text(it->second / "freezer.state", "THAWED");
  (void)kill_all();
  if (unified_) ::rmdir(unified_->c_str());
  for (const auto& [controller, dir] : v1_) ::rmdir(dir.c_str());
  unified_.reset();
  v1_.clear();
}

}  // namespace benchtop
