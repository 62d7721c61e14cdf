// How exec tools and the previews resource report a preview: a port and the URL that opens it.
#pragma once

#include <boost/describe/class.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "server/mcp/schema/type_schema.h"
#include "server/preview/port_previews.h"

namespace benchtop {

struct PreviewResult {
  int64_t port = 0;
  std::string url;
  static constexpr std::string_view kDescription =
      "A live preview of a port, served by benchtop: open the URL in a browser (it holds a pass "
      "valid for one hour).";
  static constexpr FieldDoc kFieldDocs[] = {{"port", "The sandbox's TCP port."},
                                            {"url", "Where the preview opens."}};
};
BOOST_DESCRIBE_STRUCT(PreviewResult, (), (port, url))

inline std::vector<PreviewResult> preview_results(const std::vector<PortPreview>& previews) {
  std::vector<PreviewResult> results;
  for (const auto& preview : previews) results.push_back({preview.port, preview.url});
  return results;
}

// "\n<indent>Preview of port N: URL" lines for a tool's text.
inline std::string preview_lines(const std::vector<PortPreview>& previews,
                                 const std::string& indent) {
  std::string text;
  for (const auto& preview : previews) {
    text += "\n" + indent + "Preview of port " + std::to_string(preview.port) + ": " + preview.url;
  }
  return text;
}

}  // namespace benchtop
