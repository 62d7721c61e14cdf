#include "transport/sse.h"

namespace benchtop::sse {

std::string event(std::string_view data, std::string_view id) {
  std::string out;
  out.reserve(data.size() + 32);
  if (!id.empty()) {
    out += "id: ";
    out += id;
    out += '\n';
  }
  out += "event: message\n";
  size_t start = 0;
  for (;;) {
    const size_t newline = data.find('\n', start);
    out += "data: ";
    out += data.substr(start, newline == std::string_view::npos ? data.npos : newline - start);
    out += '\n';
    if (newline == std::string_view::npos) break;
    start = newline + 1;
  }
  out += '\n';
  return out;
}

std::string priming(std::string_view id, int retry_ms) {
  std::string out = "id: ";
  out += id;
  out += "\nretry: ";
  out += std::to_string(retry_ms);
  out += "\ndata: \n\n";
  return out;
}

std::string comment(std::string_view text) {
  std::string out = ":";
  out += text;
  out += "\n\n";
  return out;
}

}  // namespace benchtop::sse
