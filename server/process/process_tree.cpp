#include "server/process/process_tree.h"

#include <dirent.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "common/parse_number.h"

namespace benchtop {
namespace {

// The parent pid and the command name from /proc/PID/stat ("pid (comm) state ppid ...").
bool read_stat(int pid, int& ppid, std::string& comm) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return false;
  const auto open = text.find('(');
  const auto close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return false;
  comm = text.substr(open + 1, close - open - 1);
  std::istringstream rest(text.substr(close + 1));
  std::string state;
  return static_cast<bool>(rest >> state >> ppid);
}

struct ProcessTable {
  std::multimap<int, int> children;
  std::map<int, std::string> names;
};

ProcessTable read_table() {
  ProcessTable table;
  DIR* dir = ::opendir("/proc");
  if (!dir) return table;
  while (dirent* entry = ::readdir(dir)) {
    const auto pid = parse_integer<int>(entry->d_name);
    if (!pid || *pid <= 0) continue;
    int ppid = 0;
    std::string comm;
    if (!read_stat(*pid, ppid, comm)) continue;
    table.children.emplace(ppid, *pid);
    table.names[*pid] = comm;
  }
  ::closedir(dir);
  return table;
}

std::vector<int> tree_of(const ProcessTable& table, int root) {
  std::vector<int> tree = {root};
  for (size_t i = 0; i < tree.size(); ++i) {
    auto [first, last] = table.children.equal_range(tree[i]);
    for (auto it = first; it != last; ++it) tree.push_back(it->second);
  }
  return tree;
}

}  // namespace

std::vector<int> process_tree(int root) {
  return tree_of(read_table(), root);
}

void signal_tree(int root, int signal, bool skip_bwrap) {
  const ProcessTable table = read_table();
  for (int pid : tree_of(table, root)) {
    auto name = table.names.find(pid);
    if (skip_bwrap && name != table.names.end() && name->second == "bwrap") continue;
    ::kill(pid, signal);
  }
}

}  // namespace benchtop
