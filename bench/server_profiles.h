// What each workload means for each server: which tool it calls, with which arguments, and what
// that tool actually does, since "glob" and "grep" differ between servers and a figure is only
// comparable next to its semantics.
#pragma once

#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace benchtop::bench {

enum class Workload { kSmallRead, kLargeRead, kGlob, kGrep, kList, kGitStatus, kGitLog, kGitDiff };
// The file workloads, measured by default on the benchmark tree.
inline constexpr std::array<Workload, 5> kAllWorkloads = {
    Workload::kSmallRead, Workload::kLargeRead, Workload::kGlob, Workload::kGrep, Workload::kList};
// The git workloads, measured on a small repository (bench/run-git.sh).
inline constexpr std::array<Workload, 3> kGitWorkloads = {Workload::kGitStatus, Workload::kGitLog,
                                                          Workload::kGitDiff};
inline constexpr std::array<Workload, 8> kEveryWorkload = {
    Workload::kSmallRead, Workload::kLargeRead, Workload::kGlob,   Workload::kGrep,
    Workload::kList,      Workload::kGitStatus, Workload::kGitLog, Workload::kGitDiff};

std::string_view workload_name(Workload workload);     // short label for tables and JSON
std::string_view workload_id(Workload workload);       // for --workload: read-small, glob, ...
std::string_view workload_summary(Workload workload);  // what the workload asks for

// One operation of a workload: usually one call, but a server that pages a large file needs
// several (one per entry of `steps`, all to the same tool) to return all of it.
struct ToolCall {
  std::string tool;
  std::vector<nlohmann::json> steps;  // the arguments of each call
  std::string semantics;              // what the server does for this call, in one or two sentences
};

struct ServerProfile {
  std::string name;                  // label in the report
  std::string kind;                  // "benchtop", "server-filesystem" or "git-mcp-server"
  std::vector<std::string> command;  // may contain {tree} and {tmp}
  std::map<Workload, ToolCall> calls;
  std::map<Workload, std::string> missing;  // workloads this server has no tool for, and why
};

// `kind` selects the mapping; `tree` is the absolute path of the benchmark tree.
Result<ServerProfile> make_profile(std::string name, std::string_view kind,
                                   std::vector<std::string> command, const std::string& tree);

}  // namespace benchtop::bench
