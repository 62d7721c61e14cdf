// MCP protocol constants: revisions this server speaks, reserved _meta keys, and the eras
// (legacy = initialize handshake, modern = per-request _meta).
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace benchtop::mcp {

// The JSON-RPC error codes MCP reserves, beside the standard ones in transport/json_rpc.h.
enum ErrorCode : int {
  kHeaderMismatch = -32020,                   // 2026-07-28: HTTP headers disagree with the body
  kMissingRequiredClientCapability = -32021,  // 2026-07-28
  kUnsupportedProtocolVersion = -32022,       // 2026-07-28
};

inline constexpr std::string_view kModernVersion = "2026-07-28";
inline constexpr std::string_view kLatestLegacyVersion = "2025-11-25";
// Newest first: the order in UnsupportedProtocolVersionError and server/discover.
inline constexpr std::array<std::string_view, 4> kSupportedVersions = {"2026-07-28", "2025-11-25",
                                                                       "2025-06-18", "2025-03-26"};

inline constexpr std::string_view kMetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
inline constexpr std::string_view kMetaClientInfo = "io.modelcontextprotocol/clientInfo";
inline constexpr std::string_view kMetaClientCapabilities =
    "io.modelcontextprotocol/clientCapabilities";
inline constexpr std::string_view kMetaLogLevel = "io.modelcontextprotocol/logLevel";
inline constexpr std::string_view kMetaServerInfo = "io.modelcontextprotocol/serverInfo";
inline constexpr std::string_view kTasksExtension = "io.modelcontextprotocol/tasks";
inline constexpr std::string_view kMetaSubscriptionId = "io.modelcontextprotocol/subscriptionId";

enum class Era { kLegacy, kModern };

bool is_supported_version(std::string_view version);
bool is_legacy_version(std::string_view version);
bool is_modern_version(std::string_view version);

}  // namespace benchtop::mcp
