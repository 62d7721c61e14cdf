#include "server/preview/port_previews.h"

#include <cstdint>

namespace benchtop {

std::vector<PortPreview> port_previews(const PreviewLinks& links, const std::string& project_id,
                                       const std::vector<int>& ports) {
  std::vector<PortPreview> previews;
  if (!links.serving()) return previews;
  for (int port : ports) {
    if (port < 1 || port > 65535) continue;
    auto url = links.url(PreviewAddress{project_id, static_cast<uint16_t>(port)});
    if (!url) break;  // stopped serving meanwhile
    previews.push_back(PortPreview{port, std::move(*url)});
  }
  return previews;
}

}  // namespace benchtop
