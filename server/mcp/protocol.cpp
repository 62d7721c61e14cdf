#include "server/mcp/protocol.h"

#include <algorithm>

namespace benchtop::mcp {

bool is_supported_version(std::string_view version) {
  return std::find(kSupportedVersions.begin(), kSupportedVersions.end(), version) !=
         kSupportedVersions.end();
}

bool is_modern_version(std::string_view version) {
  return version == kModernVersion;
}

bool is_legacy_version(std::string_view version) {
  return is_supported_version(version) && !is_modern_version(version);
}

}  // namespace benchtop::mcp
