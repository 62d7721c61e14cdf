// Compact JSON text for nlohmann::json values, byte for byte what
// dump(-1, ' ', false, error_handler_t::replace) produces, but several times faster on long
// strings: nlohmann escapes through a per-byte UTF-8 state machine, which made serialising a
// file's content the largest cost of a small fs_read. Strings are copied in runs between the
// bytes that need escaping; a string that is not valid UTF-8 is handed to nlohmann, whose
// replacement characters are the reference.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace benchtop {

void append_json(const nlohmann::json& value, std::string& out);

}  // namespace benchtop
