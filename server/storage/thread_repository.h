// Where the built-in agent's threads and their messages are kept. The chat store turns the
// records into conversation types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace benchtop {

struct ThreadRecord {
  std::string id;  // UUIDv4
  std::string project;
  std::string title;
  std::string created_at;
  std::string updated_at;
  int64_t prompt_tokens = 0;  // summed over the thread's messages
  int64_t completion_tokens = 0;
};

struct MessageRecord {
  int64_t id = 0;  // increasing in the order messages were appended
  std::string role;
  std::string content;
  std::optional<std::string> tool_calls;  // JSON text
  std::optional<std::string> tool_call_id;
  std::optional<std::string> name;
  bool is_error = false;
  std::optional<std::string> usage;  // JSON text
  int64_t prompt_tokens = 0;         // what the message cost, added to its thread's totals
  int64_t completion_tokens = 0;
  std::string created_at;
};

class ThreadRepository {
 public:
  virtual ~ThreadRepository() = default;

  // Inserts a thread with `id`; times are now.
  virtual Result<ThreadRecord> create(const std::string& id, const std::string& project,
                                      const std::string& title) = 0;
  // Newest first (by updated_at); every project's when `project` is empty.
  virtual Result<std::vector<ThreadRecord>> list(const std::string& project) = 0;
  virtual Result<std::optional<ThreadRecord>> get(const std::string& id) = 0;
  virtual Status set_title(const std::string& id, const std::string& title) = 0;
  // false when there was no such thread. Its messages go with it.
  virtual Result<bool> remove(const std::string& id) = 0;

  // In the order they were appended.
  virtual Result<std::vector<MessageRecord>> messages(const std::string& thread_id) = 0;
  // Appends `message` (its id and created_at are assigned) and, in the same transaction, bumps the
  // thread's updated_at and token totals. Returns the message's id.
  virtual Result<int64_t> append(const std::string& thread_id, const MessageRecord& message) = 0;
};

}  // namespace benchtop
