// Server-Sent Events framing.
#pragma once

#include <string>
#include <string_view>

namespace benchtop::sse {

// One "message" event whose data is `data` (split on newlines, as SSE requires).
std::string event(std::string_view data, std::string_view id = {});
// The first event of a resumable stream: an id the client can resume from, a reconnection delay
// in milliseconds, and empty data (clients skip it as a message).
std::string priming(std::string_view id, int retry_ms);
// A comment line: ignored by clients, used as a keep-alive and to notice a vanished client.
std::string comment(std::string_view text = {});

}  // namespace benchtop::sse
