// URI templates: the first line is a template, every later line a URI matched against it. Never
// crashes, and a match's values expand the template back into the URI. At most eight URIs an
// input: each match has its own work budget, and an input is one call's worth of work.
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_input.h"
#include "server/mcp/registry/uri_template.h"

using namespace benchtop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [text, uris] = fuzz::first_line(fuzz::as_text(data, size));
  auto parsed = UriTemplate::parse(std::string(text));
  if (!parsed) return 0;
  (void)parsed->variables();
  for (int count = 0; count < 8 && !uris.empty(); ++count) {
    std::string_view uri;
    std::tie(uri, uris) = fuzz::first_line(uris);
    const auto values = parsed->match(std::string(uri));
    if (!values) continue;
    // Expand: replace each {name} / {+name} with its value.
    std::string expanded;
    const std::string& source = parsed->text();
    for (size_t i = 0; i < source.size();) {
      if (source[i] != '{') {
        expanded += source[i++];
        continue;
      }
      const size_t close = source.find('}', i);
      std::string name = source.substr(i + 1, close - i - 1);
      if (!name.empty() && name.front() == '+') name.erase(0, 1);
      const auto it = values->find(name);
      if (it == values->end()) std::abort();
      expanded += it->second;
      i = close + 1;
    }
    if (expanded != uri) std::abort();
  }
  return 0;
}
