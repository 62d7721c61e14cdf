// One output budget per result: the text keeps the head and tail of a long payload within the
// budget and says what was left out and how to get it; structuredContent keeps only a preview.
#include "tools/common/output_budget.h"

#include <gtest/gtest.h>

#include <string>

namespace benchtop {
namespace {

std::string numbered_lines(int count) {
  std::string text;
  for (int i = 1; i <= count; ++i) text += std::to_string(i) + "\n";
  return text;
}

TEST(OutputBudget, TextThatFitsIsKeptWhole) {
  const auto kept = head_and_tail("short\n", 100, "hint");
  EXPECT_EQ(kept.text, "short\n");
  EXPECT_EQ(kept.elided, 0u);
  EXPECT_EQ(head_and_tail("short\n", 100, "hint", 7).elided, 7u) << "an earlier cut is counted";
}

TEST(OutputBudget, LongTextKeepsWholeLinesAtBothEndsWithinTheBudget) {
  const std::string text = numbered_lines(100000);
  const auto cut = head_and_tail(text, 4096, "read it with fs_read");
  EXPECT_LE(cut.text.size(), 4096u);
  EXPECT_EQ(cut.text.rfind("1\n2\n3\n", 0), 0u);
  EXPECT_EQ(cut.text.substr(cut.text.size() - 13), "99999\n100000\n");
  const size_t marker = cut.text.find("[... ");
  ASSERT_NE(marker, std::string::npos);
  EXPECT_EQ(cut.text[marker - 1], '\n') << "the head ends at a line end";
  EXPECT_NE(cut.text.find(std::to_string(cut.elided) + " bytes left out: read it with fs_read"),
            std::string::npos)
      << cut.text.substr(marker, 80);
  // What is kept plus what was left out is the whole text (the marker line aside).
  const size_t marker_end = cut.text.find('\n', marker) + 1;
  EXPECT_EQ(cut.text.size() - (marker_end - marker) + cut.elided, text.size());
}

TEST(OutputBudget, CutPointsAreWhereHeadAndTailCut) {
  EXPECT_FALSE(cut_points("short\n", 100, 10));
  const std::string text = numbered_lines(10000);
  const auto cut = cut_points(text, 2048, 20);
  ASSERT_TRUE(cut);
  EXPECT_LT(cut->head_end, cut->tail_start);
  EXPECT_EQ(text[cut->head_end - 1], '\n');
  EXPECT_EQ(text[cut->tail_start - 1], '\n');
  const std::string hint = "twenty bytes of hint";
  const auto made = cut_at(text, *cut, hint);
  EXPECT_EQ(made.text, head_and_tail(text, 2048, hint).text);
  EXPECT_EQ(made.elided, cut->tail_start - cut->head_end);
  EXPECT_LE(made.text.size(), 2048u);
}

TEST(OutputBudget, NeverSplitsAUtf8Sequence) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "é";  // two bytes each, no newlines
  for (size_t budget : {1024u, 1025u, 1500u, 3001u}) {
    const auto cut = head_and_tail(text, budget, "");
    const size_t marker = cut.text.find("\n[... ");
    ASSERT_NE(marker, std::string::npos);
    EXPECT_EQ(marker % 2, 0u) << budget;
    const size_t tail = cut.text.find("...]\n") + 5;
    EXPECT_EQ((cut.text.size() - tail) % 2, 0u) << budget;
    EXPECT_LE(cut.text.size(), budget);
  }
}

TEST(OutputBudget, TheBudgetIsSharedBetweenTwoPayloads) {
  EXPECT_EQ(share_budget(100, 30, 40), std::make_pair(size_t{30}, size_t{40}));
  EXPECT_EQ(share_budget(100, 10, 500), std::make_pair(size_t{10}, size_t{90}));
  EXPECT_EQ(share_budget(100, 500, 10), std::make_pair(size_t{90}, size_t{10}));
  EXPECT_EQ(share_budget(100, 500, 500), std::make_pair(size_t{50}, size_t{50}));
}

TEST(OutputBudget, ACallAsksWithinTheServersLimits) {
  EXPECT_EQ(output_budget(nlohmann::json::object()), kDefaultOutputBudget);
  EXPECT_EQ(output_budget({{"max_output_bytes", 5000}}), 5000u);
  EXPECT_EQ(output_budget({{"max_output_bytes", 10}}), kMinOutputBudget);
  EXPECT_EQ(output_budget({{"max_output_bytes", 100000000}}), kMaxOutputBudget);
}

}  // namespace
}  // namespace benchtop
