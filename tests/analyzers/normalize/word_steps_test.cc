// The per-word spelling steps on their own.
#include "analyzers/normalize/word_steps.h"

#include <gtest/gtest.h>

#include <string>

#include "analyzers/normalize/normalizer.h"

namespace vigil::normalize {
namespace {

struct Case {
  const char* name;
  std::u32string in;
  bool changed;
  std::u32string out;
};

TEST(WordStepsTest, CollapseRepeats) {
  const Case cases[] = {
      {"three_letters", U"ngooo", true, U"ngo"},
      {"two_letters_stay", U"xoong", false, U"xoong"},
      {"keeps_a_tone_mark", U"điiiì", true, U"đì"},
      {"digit_runs_stay", U"1000", false, U"1000"},
      {"several_runs", U"vaaaiii", true, U"vai"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::u32string w = c.in;
    EXPECT_EQ(CollapseRepeats(w), c.changed);
    EXPECT_EQ(w, c.out);
  }
}

TEST(WordStepsTest, ReadLeetspeak) {
  const Case cases[] = {
      {"at_sign", U"f@ck", true, U"fack"},
      {"dollar", U"$ex", true, U"sex"},
      {"digit_between_letters", U"ch3t", true, U"chet"},
      {"syllable_shape_at_end", U"ng0", true, U"ngo"},
      {"repeated_digits", U"ng000", true, U"ngooo"},
      {"not_a_syllable", U"mp3", false, U"mp3"},
      {"digits_at_end", U"covid19", false, U"covid19"},
      {"leading_digit", U"4ever", false, U"4ever"},
      {"only_digits", U"2024", false, U"2024"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::u32string w = c.in;
    EXPECT_EQ(ReadLeetspeak(w), c.changed);
    EXPECT_EQ(w, c.out);
  }
}

TEST(WordStepsTest, CollapseAndPlaceToneReportsItsSteps) {
  std::u32string w = U"hoàaa";
  EXPECT_EQ(CollapseAndPlaceTone(w), kStepRepeatCollapsed | kStepToneMoved);
  EXPECT_EQ(w, U"hòa");
  w = U"hòa";
  EXPECT_EQ(CollapseAndPlaceTone(w), 0u);
}

}  // namespace
}  // namespace vigil::normalize
