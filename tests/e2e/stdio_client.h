// An MCP client over the real binary's stdio, in its own data directory: JSON-RPC helpers on top
// of ServerProcess's raw pipes, for end-to-end tests that call tools.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "e2e/server_process.h"
#include "transport/json_rpc.h"

namespace benchtop::e2e {

class StdioClient {
 public:
  // Starts `benchtop stdio --data-dir <temp> extra_args...` and completes the 2025 handshake
  // with `capabilities`.
  explicit StdioClient(nlohmann::json capabilities = nlohmann::json::object(),
                       const std::vector<std::string>& extra_args = {})
      : StdioClient(std::nullopt, std::move(capabilities), extra_args) {}

  // The same on a data directory the test owns (shared with other servers, e.g. a `serve`).
  StdioClient(const std::filesystem::path& data_dir, nlohmann::json capabilities)
      : StdioClient(std::optional<std::filesystem::path>(data_dir), std::move(capabilities), {}) {}

  const std::filesystem::path& data_dir() const { return data_dir_path_; }
  ServerProcess& process() { return process_; }

 private:
  StdioClient(std::optional<std::filesystem::path> data_dir, nlohmann::json capabilities,
              const std::vector<std::string>& extra_args)
      : data_dir_path_(data_dir ? *data_dir : owned_dir_.emplace().path()),
        process_(arguments(data_dir_path_, extra_args)) {
    nlohmann::json response = request("init", "initialize",
                                      {{"protocolVersion", "2025-11-25"},
                                       {"capabilities", std::move(capabilities)},
                                       {"clientInfo", {{"name", "e2e"}, {"version", "1"}}}});
    EXPECT_TRUE(response.contains("result")) << response;
    send(jsonrpc::make_notification("notifications/initialized"));
  }

 public:
  void send(const nlohmann::json& message) {
    ASSERT_TRUE(process_.write_line(jsonrpc::serialize(message)));
  }

  nlohmann::json next() {
    std::optional<std::string> line = process_.read_line();
    if (!line) {
      ADD_FAILURE() << "no message on stdout; stderr:\n" << process_.stderr_text();
      return nullptr;
    }
    return nlohmann::json::parse(*line, nullptr, false);
  }

  nlohmann::json request(const nlohmann::json& id, const std::string& method,
                         nlohmann::json params) {
    send(jsonrpc::make_request(id, method, std::move(params)));
    nlohmann::json response = next();
    EXPECT_EQ(response.value("id", nlohmann::json()), id) << response;
    return response;
  }

  nlohmann::json call(const nlohmann::json& id, const std::string& tool, nlohmann::json arguments) {
    return request(id, "tools/call", {{"name", tool}, {"arguments", std::move(arguments)}});
  }

 private:
  static std::vector<std::string> arguments(const std::filesystem::path& data_dir,
                                            const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"stdio", "--data-dir", data_dir.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  std::optional<TempDir> owned_dir_;  // when the client makes its own data directory
  std::filesystem::path data_dir_path_;
  ServerProcess process_;
};

}  // namespace benchtop::e2e
