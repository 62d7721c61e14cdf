// The preview links of the ports a project's sandbox listens on, as tool results, resources and
// chat events report them.
#pragma once

#include <string>
#include <vector>

#include "server/preview/preview_links.h"

namespace benchtop {

struct PortPreview {
  int port = 0;
  std::string url;  // with a fresh pass (PreviewLinks::url)
};

// One preview per port of `ports` (in their order) of the project `project_id`; empty while
// `links` is not serving. A number that is no TCP port (0, negative, above 65535) is left out.
std::vector<PortPreview> port_previews(const PreviewLinks& links, const std::string& project_id,
                                       const std::vector<int>& ports);

}  // namespace benchtop
