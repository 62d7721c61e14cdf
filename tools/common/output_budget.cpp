#include "tools/common/output_budget.h"

#include <algorithm>

#include "common/utf8.h"

namespace benchtop {
namespace {

// Moves `end` back to just after a newline when one is within the last eighth of the piece, so a
// cut does not split a line that could be kept whole.
size_t back_to_line_end(std::string_view text, size_t end) {
  const size_t window = end / 8;
  const size_t newline = text.rfind('\n', end == 0 ? 0 : end - 1);
  if (newline != std::string_view::npos && newline + 1 >= end - window) return newline + 1;
  return end;
}

// Moves `start` forward to just after a newline within the first eighth of what follows it.
size_t forward_to_line_start(std::string_view text, size_t start) {
  const size_t window = (text.size() - start) / 8;
  const size_t newline = text.find('\n', start);
  if (newline != std::string_view::npos && newline < start + window) return newline + 1;
  return start;
}

}  // namespace

nlohmann::json output_budget_property() {
  return {{"type", "integer"},
          {"minimum", kMinOutputBudget},
          {"maximum", kMaxOutputBudget},
          {"default", kDefaultOutputBudget},
          {"description", "Output cap; head and tail kept."}};
}

size_t output_budget(const nlohmann::json& arguments) {
  const auto asked = arguments.find("max_output_bytes");
  if (asked == arguments.end() || !asked->is_number_integer()) return kDefaultOutputBudget;
  return std::clamp<size_t>(asked->get<size_t>(), kMinOutputBudget, kMaxOutputBudget);
}

std::optional<CutPoints> cut_points(std::string_view text, size_t budget, size_t marker_bytes) {
  if (text.size() <= budget) return std::nullopt;
  // The marker's own bytes count against the budget too.
  const size_t marker = marker_bytes + 48;
  const size_t room = budget > 2 * marker ? budget - marker : budget / 2;
  CutPoints cut;
  cut.head_end = back_to_line_end(text, utf8_floor(text, room / 2));
  cut.tail_start = text.size() - (room - cut.head_end);
  while (cut.tail_start < text.size() &&
         (static_cast<unsigned char>(text[cut.tail_start]) & 0xC0) == 0x80) {
    ++cut.tail_start;  // not inside a UTF-8 sequence
  }
  cut.tail_start = forward_to_line_start(text, cut.tail_start);
  return cut;
}

Budgeted cut_at(std::string_view text, CutPoints cut, std::string_view hint,
                uint64_t already_elided) {
  const uint64_t elided = already_elided + (cut.tail_start - cut.head_end);
  Budgeted result;
  result.elided = elided;
  result.text.reserve(cut.head_end + (text.size() - cut.tail_start) + hint.size() + 48);
  result.text.append(text.substr(0, cut.head_end));
  if (!result.text.empty() && result.text.back() != '\n') result.text.push_back('\n');
  result.text += "[... " + std::to_string(elided) + " bytes left out";
  if (!hint.empty()) result.text += ": " + std::string(hint);
  result.text += " ...]\n";
  result.text.append(text.substr(cut.tail_start));
  return result;
}

Budgeted head_and_tail(std::string_view text, size_t budget, std::string_view hint,
                       uint64_t already_elided) {
  const auto cut = cut_points(text, budget, hint.size());
  if (!cut) return {std::string(text), already_elided};
  return cut_at(text, *cut, hint, already_elided);
}

std::pair<size_t, size_t> share_budget(size_t budget, size_t a, size_t b) {
  if (a + b <= budget) return {a, b};
  const size_t half = budget / 2;
  if (a <= b) {
    const size_t keep = std::min(a, half);
    return {keep, budget - keep};
  }
  const size_t keep = std::min(b, half);
  return {budget - keep, keep};
}

}  // namespace benchtop
