// Renders the results: a table for people, JSON for tools that track figures over time.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "bench/measurements.h"

namespace benchtop::bench {

struct RunReport {
  RunSettings settings;
  std::string tree_description;  // e.g. "3,461 files, 21.4 MiB"
  unsigned cores = 0;
  std::string load_before;  // /proc/loadavg: figures taken on a busy machine are not comparable
  std::string load_after;
  std::vector<ServerResult> servers;
  std::optional<GrepBaseline> ripgrep;
};

void print_report(std::ostream& out, const RunReport& report);
nlohmann::json report_json(const RunReport& report);

}  // namespace benchtop::bench
