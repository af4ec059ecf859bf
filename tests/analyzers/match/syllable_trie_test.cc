// The packed syllable trie on its own: phrases added, then walked.
#include "analyzers/match/syllable_trie.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::match {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The values at the end of `phrase`, or nothing when the walk falls off.
std::vector<int32_t> Walk(const Trie<int32_t>& trie, const SyllableDict& dict,
                          const std::vector<std::string>& phrase) {
  int32_t node = 0;
  for (const std::string& s : phrase) {
    node = trie.Step(node, dict.IdOf(s));
    if (node < 0) return {};
  }
  const auto values = trie.ValuesAt(node);
  return {values.begin(), values.end()};
}

TEST(SyllableTrieTest, FindsEachPhraseAtItsLastSyllable) {
  SyllableDict dict;
  Trie<int32_t> trie;
  trie.Add(dict, {"địt", "mẹ"}, 1);
  trie.Add(dict, {"địt", "mẹ", "mày"}, 2);
  trie.Add(dict, {"địt"}, 3);
  trie.Add(dict, {"mẹ", "mày"}, 4);
  trie.Add(dict, {"địt", "mẹ"}, 5);  // a second value on one node
  trie.Finalize();
  EXPECT_THAT(Walk(trie, dict, {"địt"}), ElementsAre(3));
  EXPECT_THAT(Walk(trie, dict, {"địt", "mẹ"}), ElementsAre(1, 5));
  EXPECT_THAT(Walk(trie, dict, {"địt", "mẹ", "mày"}), ElementsAre(2));
  EXPECT_THAT(Walk(trie, dict, {"mẹ", "mày"}), ElementsAre(4));
  EXPECT_THAT(Walk(trie, dict, {"mẹ"}), IsEmpty());  // a prefix only
  EXPECT_THAT(Walk(trie, dict, {"mày", "mẹ"}), IsEmpty());
  // root, địt, địt mẹ, địt mẹ mày, mẹ, mẹ mày
  EXPECT_EQ(trie.node_count(), 6u);
}

TEST(SyllableTrieTest, UnknownSyllablesEndTheWalk) {
  SyllableDict dict;
  Trie<int32_t> trie;
  trie.Add(dict, {"ngu"}, 7);
  trie.Finalize();
  EXPECT_EQ(dict.IdOf("khôn"), -1);
  EXPECT_EQ(trie.Step(0, -1), -1);
  EXPECT_EQ(trie.Step(0, 12345), -1);  // an id of another trie's syllable
}

TEST(SyllableTrieTest, TriesSharingADictionaryKeepTheirOwnPhrases) {
  SyllableDict dict;
  Trie<int32_t> terms, allow;
  terms.Add(dict, {"con", "chó"}, 1);
  allow.Add(dict, {"chó", "điên"}, 2);
  terms.Finalize();
  allow.Finalize();
  EXPECT_EQ(dict.IdOf("chó"), dict.Intern("chó"));  // one id for both
  EXPECT_THAT(Walk(terms, dict, {"con", "chó"}), ElementsAre(1));
  EXPECT_THAT(Walk(terms, dict, {"chó", "điên"}), IsEmpty());
  EXPECT_THAT(Walk(allow, dict, {"chó", "điên"}), ElementsAre(2));
}

}  // namespace
}  // namespace vigil::match
