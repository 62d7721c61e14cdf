// TCP ports something in the sandbox listens on where a connection from the supervisor can
// reach it (loopback or any address), read from the kernel's /proc/net/tcp and /proc/net/tcp6.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace benchtop::supervisor {

// Sorted, without duplicates. Each table is the text of /proc/net/tcp or /proc/net/tcp6 (the
// format is told apart by the address's length); lines that do not parse are skipped.
std::vector<uint16_t> listening_ports(std::span<const std::string_view> tables);

// Reads both tables of the calling process's network namespace. A table that cannot be read
// (no IPv6 in the kernel) counts as empty.
std::vector<uint16_t> listening_ports();

}  // namespace benchtop::supervisor
