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

Budgeted head_and_tail(std::string_view text, size_t budget, std::string_view hint,
                       uint64_t already_elided) {
  if (text.size() <= budget) return {std::string(text), already_elided};
  // The marker's own bytes count against the budget too.
  const size_t marker = hint.size() + 48;
  const size_t room = budget > 2 * marker ? budget - marker : budget / 2;
  size_t head_end = back_to_line_end(text, utf8_floor(text, room / 2));
  size_t tail_start = text.size() - (room - head_end);
  while (tail_start < text.size() &&
         (static_cast<unsigned char>(text[tail_start]) & 0xC0) == 0x80) {
    ++tail_start;  // not inside a UTF-8 sequence
  }
  tail_start = forward_to_line_start(text, tail_start);
  const uint64_t elided = already_elided + (tail_start - head_end);
  Budgeted cut;
  cut.elided = elided;
  cut.text.reserve(budget);
  cut.text.append(text.substr(0, head_end));
  if (!cut.text.empty() && cut.text.back() != '\n') cut.text.push_back('\n');
  cut.text += "[... " + std::to_string(elided) + " bytes left out";
  if (!hint.empty()) cut.text += ": " + std::string(hint);
  cut.text += " ...]\n";
  cut.text.append(text.substr(tail_start));
  return cut;
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
