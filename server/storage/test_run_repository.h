// Where finished test runs are kept, per project, for their history.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace benchtop {

struct TestRunRecord {
  int64_t id = 0;          // assigned on insert, increasing
  std::string started_at;  // assigned on insert
  std::string project_id;
  std::string command;
  std::string runner;
  std::optional<int64_t> exit_code;
  int64_t passed = 0;
  int64_t failed = 0;
  int64_t skipped = 0;
  int64_t errors = 0;
  int64_t duration_ms = 0;
  std::string failures;  // JSON array text
  std::string output_tail;
};

class TestRunRepository {
 public:
  virtual ~TestRunRepository() = default;

  // Stores `record` and returns it with its id and started_at.
  virtual Result<TestRunRecord> insert(TestRunRecord record) = 0;
  // Newest first, at most `limit`.
  virtual Result<std::vector<TestRunRecord>> recent(const std::string& project_id,
                                                    size_t limit) = 0;
};

}  // namespace benchtop
