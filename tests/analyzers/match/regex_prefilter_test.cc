// The regex prefilter: folded and loosened patterns, and the Hyperscan set
// that names the regex terms that may match a post.
#include "analyzers/match/regex_prefilter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <string>
#include <vector>

namespace vigil::match {
namespace {

using ::testing::ElementsAre;

TEST(FoldPatternTest, FoldsLettersAndKeepsSyntax) {
  EXPECT_EQ(FoldPattern("chết (đi|luôn)"), "chet (di|luon)");
  EXPECT_EQ(FoldPattern("[àá]+\\s*đụ"), "[aa]+\\s*du");
  EXPECT_EQ(FoldPattern("😡 mày"), "😡 may");  // no ASCII base: kept
}

struct PrefilterCase {
  const char* name;
  std::string pattern;   // a folded term pattern
  std::string expected;  // its prefilter form
};

TEST(PrefilterPatternTest, LoosensWhatHyperscanFindsCostly) {
  const PrefilterCase cases[] = {
      {"counted_repeat", "a{0,8}b", "a*b"},
      {"plus", "ab+", "ab*"},
      {"lone_dot_optional", "a.b", "a.?b"},
      {"dot_star_kept", "a.*b", "a.*b"},
      {"negated_letters_any", "a[^a-z]b", "a(?:.?)b"},
      {"negated_space_optional", "a[^ ]b", "a[^ ]?b"},
      {"non_ascii_any", "a😡b", "a(?:.?)b"},
      {"word_boundary_dropped", "a\\bb", "ab"},
      {"property_any", "a\\p{L}b", "a(?:.?)b"},
      {"literal_brace", "a{b", "a{b"},
  };
  for (const PrefilterCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(PrefilterPattern(c.pattern), c.expected);
  }
}

TEST(PrefilterPatternTest, NeverNarrowsAPattern) {
  // Wherever the term's regex matches the folded view, its prefilter form
  // must match too (RE2 stands in for Hyperscan's prefilter semantics).
  const std::string pattern = "toi (se )?giet (may|m){1,2}";
  const std::string prefilter = PrefilterPattern(pattern);
  for (const char* text : {"toi giet may", "toi se giet mm", "toi giet m"}) {
    ASSERT_TRUE(RE2::PartialMatch(text, pattern)) << text;
    EXPECT_TRUE(RE2::PartialMatch(text, prefilter)) << text << " " << prefilter;
  }
}

TEST(RegexFilterTest, NamesThePatternsThatMayMatch) {
  RegexFilter filter;
  ASSERT_TRUE(filter.Compile({"chet (di|luon)", "", "lua dao"}).ok());
  hs_scratch_t* scratch = nullptr;
  ASSERT_EQ(hs_alloc_scratch(filter.db, &scratch), HS_SUCCESS);
  std::vector<int> ids;
  filter.Potentials("thoi chet di", scratch, &ids);
  // Pattern 1 is empty: it always runs.
  EXPECT_THAT(ids, ElementsAre(0, 1));
  filter.Potentials("binh thuong", scratch, &ids);
  EXPECT_THAT(ids, ElementsAre(1));
  hs_free_scratch(scratch);
  // Without scratch every pattern may match: slower, never wrong.
  filter.Potentials("binh thuong", nullptr, &ids);
  EXPECT_THAT(ids, ElementsAre(0, 1, 2));
}

}  // namespace
}  // namespace vigil::match
