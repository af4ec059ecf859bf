// ExpandFiniteRegex: the strings of alternations of fixed wordings, and
// "not finite here" for everything else.
#include "analyzers/match/finite_regex.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vigil::match {
namespace {

using ::testing::UnorderedElementsAreArray;

struct Case {
  const char* name;
  const char* pattern;
  std::vector<std::string> strings;  // empty: not expandable
};

class FiniteRegexTest : public ::testing::TestWithParam<Case> {};

TEST_P(FiniteRegexTest, Expands) {
  std::optional<std::vector<std::string>> got =
      ExpandFiniteRegex(GetParam().pattern, 100);
  if (GetParam().strings.empty()) {
    EXPECT_FALSE(got.has_value()) << GetParam().pattern;
    return;
  }
  ASSERT_TRUE(got.has_value()) << GetParam().pattern;
  EXPECT_THAT(*got, UnorderedElementsAreArray(GetParam().strings));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, FiniteRegexTest,
    ::testing::Values(
        Case{"literal", "đồ ngu", {"đồ ngu"}},
        Case{"alternation", "tao|tụi tao", {"tao", "tụi tao"}},
        Case{"product",
             "(tao|tụi tao) (giết|chém) mày",
             {"tao giết mày", "tao chém mày", "tụi tao giết mày",
              "tụi tao chém mày"}},
        Case{"optional_group", "tao (sẽ )?giết", {"tao sẽ giết", "tao giết"}},
        Case{"optional_char", "ngu?", {"ngu", "ng"}},
        Case{"non_capturing", "(?:a|b)c", {"ac", "bc"}},
        Case{"nested", "((a|b)c|d)e", {"ace", "bce", "de"}},
        Case{"empty_alternative", "a(|b)", {"a", "ab"}},
        // Not finite here.
        Case{"dot", "a.b", {}}, Case{"class", "[0-9]+k", {}},
        Case{"star", "(ha)*", {}}, Case{"bounded_gap", "a ([^ ]+ ){0,3}b", {}},
        Case{"escape", "bit\\.ly", {}}, Case{"flags", "(?i)ngu", {}},
        Case{"unbalanced", "(a|b", {}},
        Case{"too_many",
             "(a|b|c|d|e)(a|b|c|d|e)(a|b|c|d|e)(a|b|c|d|e)",  // 625 > 100
             {}}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace vigil::match
