#include "server/sandbox/supervisor/listening_ports.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace benchtop::supervisor {
namespace {

constexpr std::string_view kListenState = "0A";

std::optional<uint32_t> hex32(std::string_view text) {
  uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The kernel prints each 32-bit word of the address as the hexadecimal of its in-memory value
// (so 127.0.0.1 is "0100007F" on a little-endian machine): copying the parsed words back into
// memory gives the address's bytes in network order, whatever the machine's byte order.
template <size_t Words>
std::optional<std::array<unsigned char, Words * 4>> address_bytes(std::string_view hex) {
  std::array<unsigned char, Words * 4> bytes{};
  for (size_t i = 0; i < Words; ++i) {
    const auto word = hex32(hex.substr(i * 8, 8));
    if (!word) return std::nullopt;
    std::memcpy(bytes.data() + i * 4, &*word, 4);
  }
  return bytes;
}

bool reachable_v4(const std::array<unsigned char, 4>& a) {
  const bool any = a == std::array<unsigned char, 4>{0, 0, 0, 0};
  const bool loopback = a == std::array<unsigned char, 4>{127, 0, 0, 1};
  return any || loopback;
}

bool reachable_v6(const std::array<unsigned char, 16>& a) {
  std::array<unsigned char, 16> any{};
  std::array<unsigned char, 16> loopback{};
  loopback[15] = 1;
  if (a == any || a == loopback) return true;
  // ::ffff:a.b.c.d, an IPv6 socket bound to an IPv4 address.
  const bool mapped = std::all_of(a.begin(), a.begin() + 10, [](unsigned char b) { return !b; }) &&
                      a[10] == 0xff && a[11] == 0xff;
  return mapped && reachable_v4({a[12], a[13], a[14], a[15]});
}

// "  0: 0100007F:1F90 00000000:0000 0A ..." -> the port when the line is a reachable listener.
std::optional<uint16_t> parse_line(const std::string& line) {
  std::istringstream fields(line);
  std::string slot, local, remote, state;
  if (!(fields >> slot >> local >> remote >> state)) return std::nullopt;
  if (slot.empty() || slot.back() != ':' || state != kListenState) return std::nullopt;
  const size_t colon = local.find(':');
  if (colon == std::string::npos) return std::nullopt;
  const std::string_view address = std::string_view(local).substr(0, colon);
  const auto port = hex32(std::string_view(local).substr(colon + 1));
  if (!port || *port == 0 || *port > 0xffff) return std::nullopt;
  bool reachable = false;
  if (address.size() == 8) {
    const auto bytes = address_bytes<1>(address);
    reachable = bytes && reachable_v4(*bytes);
  } else if (address.size() == 32) {
    const auto bytes = address_bytes<4>(address);
    reachable = bytes && reachable_v6(*bytes);
  }
  if (!reachable) return std::nullopt;
  return static_cast<uint16_t>(*port);
}

std::string read_text(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::vector<uint16_t> listening_ports(std::span<const std::string_view> tables) {
  std::vector<uint16_t> ports;
  for (const std::string_view table : tables) {
    std::istringstream lines{std::string(table)};
    std::string line;
    while (std::getline(lines, line)) {
      if (const auto port = parse_line(line)) ports.push_back(*port);
    }
  }
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
  return ports;
}

std::vector<uint16_t> listening_ports() {
  const std::string v4 = read_text("/proc/net/tcp");
  const std::string v6 = read_text("/proc/net/tcp6");
  const std::string_view tables[] = {v4, v6};
  return listening_ports(tables);
}

}  // namespace benchtop::supervisor
