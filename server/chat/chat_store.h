// Persistence of the built-in agent's conversations: threads (bound to one project) and their
// messages (user, assistant with tool calls, tool results) with token usage, in a thread
// repository.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/agent/chat_types.h"
#include "server/storage/thread_repository.h"

namespace benchtop {

struct ChatThread {
  std::string id;  // UUIDv4
  std::string project;
  std::string title;
  std::string created_at;
  std::string updated_at;
  TokenUsage usage;  // summed over the thread's assistant messages

  nlohmann::json to_json() const;
};

struct StoredChatMessage {
  int64_t id = 0;
  ChatMessage message;
  std::string created_at;

  nlohmann::json to_json() const;
};

class ChatStore {
 public:
  // `repository` must outlive the store.
  explicit ChatStore(ThreadRepository& repository) : repository_(repository) {}

  Result<ChatThread> create_thread(const std::string& project, const std::string& title);
  // Newest first; all projects when `project` is empty.
  Result<std::vector<ChatThread>> list_threads(const std::string& project);
  // Fails with code "not_found".
  Result<ChatThread> get_thread(const std::string& id);
  Status set_title(const std::string& id, const std::string& title);
  // Fails with code "not_found" when there was no such thread.
  Status delete_thread(const std::string& id);

  Result<std::vector<StoredChatMessage>> messages(const std::string& thread_id);
  // Appends a message and bumps the thread's updated_at and token totals.
  Result<int64_t> append(const std::string& thread_id, const ChatMessage& message);

 private:
  ThreadRepository& repository_;
};

}  // namespace benchtop
