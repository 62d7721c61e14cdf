// How much of a large payload (command output, a patch) a tool result carries.
//
// Every result has one budget for its payload: 32 KiB by default, `max_output_bytes` per call up
// to 256 KiB. The text content, which is what a model reads, carries the payload cut to the
// budget: its head and tail, the middle replaced by a line that says how many bytes were left out
// and how to get them. A large payload lives there once: structuredContent carries the facts (exit
// code, sizes, counts) and, of a payload over kStructuredPreviewBytes, only a short head and tail,
// so a result costs the budget once rather than twice (once more JSON-escaped).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace benchtop {

inline constexpr size_t kDefaultOutputBudget = 32 * 1024;
inline constexpr size_t kMaxOutputBudget = 256 * 1024;
inline constexpr size_t kMinOutputBudget = 1024;
// A payload up to this size is carried whole in structuredContent as well (the head and tail of
// a longer one, this much in all).
inline constexpr size_t kStructuredPreviewBytes = 512;

// The `max_output_bytes` input property, and the budget a call asked for (the default when it
// did not).
nlohmann::json output_budget_property();
size_t output_budget(const nlohmann::json& arguments);

struct Budgeted {
  std::string text;
  uint64_t elided = 0;  // bytes of the original left out
};

// `text` within `budget` bytes: whole when it fits, otherwise its head and tail (cut at line ends
// where one is near, never inside a UTF-8 sequence) around a marker line naming the bytes left
// out (plus `already_elided`, bytes an earlier cut dropped) and `hint`.
Budgeted head_and_tail(std::string_view text, size_t budget, std::string_view hint,
                       uint64_t already_elided = 0);

// Where head_and_tail cuts: text[0, head_end) and text[tail_start, end) are kept. For a tool
// whose hint names the cut (an offset to read the middle from), cut_points finds it, reserving
// `hint_bytes` for the hint, and cut_at makes the text. Nothing when `text` fits.
struct CutPoints {
  size_t head_end = 0;
  size_t tail_start = 0;
};
std::optional<CutPoints> cut_points(std::string_view text, size_t budget, size_t hint_bytes);
Budgeted cut_at(std::string_view text, CutPoints cut, std::string_view hint,
                uint64_t already_elided = 0);

// Splits `budget` between two payloads of sizes `a` and `b`: both whole when they fit, otherwise
// the smaller keeps what it needs up to half and the larger gets the rest.
std::pair<size_t, size_t> share_budget(size_t budget, size_t a, size_t b);

}  // namespace benchtop
