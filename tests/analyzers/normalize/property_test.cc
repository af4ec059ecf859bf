// Property tests over thousands of real posts (../shared, when present) and
// generated ones: the offset map is exact, and every token's original slice
// normalizes back to that token.
#include <gtest/gtest.h>
#include <unicode/utf8.h>

#include "analyzers/normalize/normalizer.h"
#include "tests/test_data.h"

namespace vigil::normalize {
namespace {

// The shipped table, with or without the per-thread word memo. Slices are
// re-normalized without it, so a memo hit cannot hide a difference.
const Normalizer& Shipped(bool memo = true) {
  static const Normalizer* with = nullptr;
  static const Normalizer* without = nullptr;
  const Normalizer*& n = memo ? with : without;
  if (n == nullptr) {
    auto created = Normalizer::Create(
        {.teencode_path = testing::SourcePath("lexicons/teencode.tsv"),
         .word_memo = memo});
    if (created.ok()) {
      n = created->release();
    } else {
      ADD_FAILURE() << created.status();
      n = new Normalizer(TeencodeTable(), memo);
    }
  }
  return *n;
}

// Number of code points in `s` as the normalizer counts them (each
// ill-formed sequence is one).
uint32_t CountCodePoints(std::string_view s) {
  uint32_t count = 0;
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, n, c);
    ++count;
  }
  return count;
}

// Checks the properties for one post; returns the number of tokens checked.
size_t CheckPost(const std::string& post) {
  const NormalizedText n = Shipped().Normalize(post);
  const std::vector<Token>& tokens = n.tokens();
  uint32_t last_end = 0;
  for (size_t i = 0; i < tokens.size();) {
    const Token& t = tokens[i];
    // Spans are ordered, inside the post, on code-point boundaries, and
    // the character offsets agree with the bytes.
    EXPECT_LE(last_end, t.begin) << post;
    EXPECT_LT(t.begin, t.end) << post;
    EXPECT_LE(t.end, post.size()) << post;
    EXPECT_EQ(t.begin_char, CountCodePoints(post.substr(0, t.begin))) << post;
    EXPECT_EQ(t.end_char - t.begin_char,
              CountCodePoints(post.substr(t.begin, t.end - t.begin)))
        << post;
    EXPECT_FALSE(n.text(t).empty()) << post;
    EXPECT_FALSE(n.folded_text(t).empty()) << post;
    last_end = t.end;

    // The group of tokens sharing this span (a teencode expansion).
    size_t j = i + 1;
    while (j < tokens.size() && tokens[j].begin == t.begin) ++j;
    EXPECT_EQ(j - i, t.parts) << post;

    const std::string slice = post.substr(t.begin, t.end - t.begin);
    const NormalizedText again = Shipped(/*memo=*/false).Normalize(slice);
    if (again.tokens().size() != j - i) {
      ADD_FAILURE() << "slice '" << slice << "' of post '" << post << "' gave "
                    << again.tokens().size() << " tokens, expected " << j - i;
    } else {
      for (size_t k = 0; k < j - i; ++k) {
        const Token& a = tokens[i + k];
        const Token& b = again.tokens()[k];
        EXPECT_EQ(a.kind, b.kind) << slice;
        EXPECT_EQ(n.text(a), again.text(b)) << slice << " in " << post;
        EXPECT_EQ(n.folded_text(a), again.folded_text(b)) << slice;
        EXPECT_EQ(a.steps, b.steps) << slice << " in " << post;
        EXPECT_EQ(b.begin, 0u);
        EXPECT_EQ(b.end, slice.size());
      }
    }
    i = j;
  }
  // The word memo changes nothing: the uncached path gives the same result.
  const NormalizedText uncached = Shipped(/*memo=*/false).Normalize(post);
  EXPECT_EQ(uncached.canonical(), n.canonical()) << post;
  EXPECT_EQ(uncached.folded(), n.folded()) << post;
  EXPECT_EQ(uncached.unaccented(), n.unaccented()) << post;
  EXPECT_EQ(uncached.words(), n.words()) << post;
  EXPECT_EQ(uncached.accented_words(), n.accented_words()) << post;
  if (uncached.tokens().size() == tokens.size()) {
    for (size_t i = 0; i < tokens.size(); ++i) {
      const Token& a = tokens[i];
      const Token& b = uncached.tokens()[i];
      EXPECT_TRUE(
          a.kind == b.kind && a.steps == b.steps && a.accented == b.accented &&
          a.part == b.part && a.parts == b.parts &&
          a.ambiguous_teencode == b.ambiguous_teencode && a.begin == b.begin &&
          a.end == b.end && a.canonical_begin == b.canonical_begin &&
          a.folded_end == b.folded_end)
          << "token " << i << " differs with the word memo in " << post;
    }
  } else {
    ADD_FAILURE() << "word memo changed the token count of " << post;
  }

  // The views are the token texts joined by single spaces.
  std::string canonical, folded;
  for (const Token& t : tokens) {
    if (!canonical.empty()) canonical += ' ', folded += ' ';
    canonical += n.text(t);
    folded += n.folded_text(t);
  }
  EXPECT_EQ(n.canonical(), canonical);
  EXPECT_EQ(n.folded(), folded);
  return tokens.size();
}

TEST(NormalizerPropertyTest, SlicesOfRealPostsNormalizeBack) {
  std::vector<std::string> posts = testing::SharedPosts(6000);
  if (posts.empty()) {
    VIGIL_SKIP_WITHOUT_SHARED(
        "../shared/data is absent: real-post property test skipped (the "
        "generated-post test still runs)");
  }
  size_t tokens = 0;
  for (const std::string& post : posts) tokens += CheckPost(post);
  EXPECT_GT(tokens, 50000u);
  RecordProperty("posts", static_cast<int>(posts.size()));
}

TEST(NormalizerPropertyTest, SlicesOfGeneratedPostsNormalizeBack) {
  size_t tokens = 0;
  for (const std::string& post : testing::GeneratedPosts(4000, 20261126)) {
    tokens += CheckPost(post);
  }
  EXPECT_GT(tokens, 20000u);
}

}  // namespace
}  // namespace vigil::normalize
