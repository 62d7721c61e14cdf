// How the code tools show a symbol, one line each: "method bar(int x)  L12-20".
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "server/code/symbols.h"

namespace benchtop {

// "kind name(signature)"; a long or multi-line signature is shortened to one line.
std::string symbol_label(const Symbol& symbol);
// "L12-20", or "L12" for one line or when the end is unknown.
std::string line_range(const Symbol& symbol);
// The signature as results carry it (one line, at most a few hundred bytes), if any.
std::optional<std::string> shown_signature(const Symbol& symbol);
// The scope worth showing beside a symbol that is not drawn inside it: none for a Go or Java
// package, which every symbol of the file shares.
std::optional<std::string> shown_scope(const Symbol& symbol);
// "10 s", "250 ms".
std::string shown_duration(std::chrono::milliseconds duration);

}  // namespace benchtop
