// Reads the few top-level facts the harness needs from a JSON-RPC line (id, request or response,
// error, tool error) without building a document. A 1 MiB file read arrives as a 2 MiB line
// (text content plus structured content); parsing that into a tree for every call would cost the
// harness more than the server under test, and skew exactly the comparisons we want to make.
// The scanner jumps over string bodies with memchr, so it costs about as much as one copy.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace benchtop::bench {

struct ScannedMessage {
  std::optional<int64_t> id;  // a numeric top-level "id"
  bool has_method = false;    // a request or notification rather than a response
  bool has_error = false;     // a JSON-RPC error response
  bool tool_error = false;    // result.isError == true
  bool well_formed = false;   // braces balanced and the line is one object
};

ScannedMessage scan_message(std::string_view line);

}  // namespace benchtop::bench
