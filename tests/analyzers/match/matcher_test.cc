// Table-driven tests of matching and scoring over the test lexicon in
// tests/fixtures/lexicon (small, hand-written, independent of the shipped
// lexicons).
#include "analyzers/match/matcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "analyzers/analyzer.h"
#include "analyzers/match/lexicon.h"
#include "analyzers/score/scorer.h"
#include "tests/test_data.h"

namespace vigil {
namespace {

using ::testing::ElementsAreArray;

const Analyzer& TestAnalyzer() {
  static const std::shared_ptr<const Analyzer> a = [] {
    auto loaded = Analyzer::Load(testing::SourcePath("tests/fixtures/lexicon"));
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return loaded.ok() ? *loaded : nullptr;
  }();
  return *a;
}

// A hit as the test tables spell it: the original text it covers, the term,
// and how it was found.
struct ExpectedHit {
  std::string span;  // bytes of the original post
  std::string term;
  std::vector<std::string> via;
  bool operator==(const ExpectedHit&) const = default;
};

std::ostream& operator<<(std::ostream& os, const ExpectedHit& h) {
  os << "{\"" << h.span << "\" = " << h.term << " via";
  for (const std::string& v : h.via) os << " " << v;
  return os << "}";
}

std::vector<ExpectedHit> Hits(const std::string& post) {
  Analyzer::Result r = TestAnalyzer().Analyze(post);
  std::vector<ExpectedHit> out;
  // The matcher's own hits (the verdict lists only flagged categories'), in
  // order of position, for stable tables.
  std::vector<match::Hit> hits = score::DropNested(
      TestAnalyzer().lexicon(), TestAnalyzer().matcher().Match(r.normalized));
  std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
    return std::tie(a.begin, a.end, a.term) < std::tie(b.begin, b.end, b.term);
  });
  for (const match::Hit& h : hits) {
    const match::Term& t = TestAnalyzer().lexicon().terms()[h.term];
    ExpectedHit e{post.substr(h.begin, h.end - h.begin),
                  (t.is_regex ? "re:" : "") + t.text,
                  {}};
    for (std::string_view v : match::ViaNames(h.via)) e.via.emplace_back(v);
    out.push_back(e);
  }
  return out;
}

struct MatchCase {
  const char* name;
  std::string post;
  std::vector<ExpectedHit> hits;
};

class MatchTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(MatchTest, Hits) {
  EXPECT_THAT(Hits(GetParam().post), ElementsAreArray(GetParam().hits))
      << GetParam().post;
}

const MatchCase kMatchCases[] = {
    // --- boundaries and Scunthorpe ---------------------------------------
    {"plain_word", "mày ngu thế", {{"ngu", "ngu", {}}}},
    {"not_inside_longer_syllable", "nguyên nhân", {}},
    {"not_across_syllables", "ng u", {}},
    {"phrase", "đúng là óc chó", {{"óc chó", "óc chó", {}}}},
    {"phrase_beats_nested_word", "thằng ngu", {{"thằng ngu", "thằng ngu", {}}}},
    {"accented_travel_is_not_du", "du lịch Đà Lạt", {}},
    {"enough_is_not_du", "đủ rồi", {}},
    {"accented_du_hits", "ĐỤ MÁ", {{"ĐỤ MÁ", "đụ má", {}}}},
    {"unaccented_du_nofold_misses", "di du lich", {}},
    {"unaccented_phrase_folds", "du ma may", {{"du ma", "đụ má", {"folded"}}}},
    {"bottom_is_not_fuck", "đít to", {}},
    {"toneless_d_stroke_folds", "đit mẹ", {{"đit mẹ", "địt mẹ", {"folded"}}}},
    {"unaccented_token_in_accented_post",
     "thằng này dit me",
     {{"dit me", "địt mẹ", {"folded"}}}},
    {"nofold_term_needs_diacritics", "lon bia", {}},
    {"cac_is_not_a_term", "các bạn", {}},
    // --- evasions ------------------------------------------------------------
    {"teencode", "vcl", {{"vcl", "vãi cả lồn", {"teencode"}}}},
    {"teencode_upper", "VCL", {{"VCL", "vãi cả lồn", {"teencode"}}}},
    {"repeated", "nguuuuu", {{"nguuuuu", "ngu", {"repeated_letters"}}}},
    {"zero_width",
     "n\xE2\x80\x8Bgu",
     {{"n\xE2\x80\x8Bgu", "ngu", {"format_removed"}}}},
    {"confusable",
     "ó\xD1\x81 chó",
     {{"ó\xD1\x81 chó", "óc chó", {"confusable"}}}},
    {"leetspeak", "óc ch0", {{"óc ch0", "óc chó", {"leetspeak", "folded"}}}},
    {"leetspeak_nofold_term_needs_diacritics", "súc v4t", {}},
    {"joined_dots",
     "đ.m mày",
     {{"đ.m", "địt mẹ", {"teencode", "joined_separators"}}}},
    {"joined_spaces",
     "d m may",
     {{"d m", "địt mẹ", {"teencode", "joined_separators"}}}},
    {"joined_dashes",
     "Đ-M",
     {{"Đ-M", "địt mẹ", {"teencode", "joined_separators"}}}},
    {"letters_joined_in_a_phrase",
     "óc c.h.ó",
     {{"óc c.h.ó", "óc chó", {"letters_joined"}}}},
    {"single_letters_without_term", "a b c", {}},
    // A masked word stands for the dictionary's syllables that fit it; a
    // phrase needs one word as written around it.
    {"masked_phrase", "óc ch*", {{"óc ch*", "óc chó", {"masked_letters"}}}},
    {"masked_phrase_unaccented",
     "thang ng* ay",
     {{"thang ng*", "thằng ngu", {"folded", "masked_letters"}}}},
    {"masked_fragment_is_not_teencode",  // "ng" alone is teencode for người
     "thằng ng*",
     {{"thằng ng*", "thằng ngu", {"masked_letters"}}}},
    {"masked_word_alone_ambiguous", "ng*", {}},  // ngu or ngơ
    {"masked_word_alone_unique", "l*n", {{"l*n", "lồn", {"masked_letters"}}}},
    {"masked_too_much", "* chó", {}},
    {"nfd_input",
     "su\xCC\x81\x63 vâ\xCC\xA3t",
     {{"su\xCC\x81\x63 vâ\xCC\xA3t", "súc vật", {}}}},
    // --- regex terms
    // -----------------------------------------------------------
    {"regex", "chém chết nó", {{"chém chết", "re:chém (chết|bay đầu)", {}}}},
    {"regex_other_branch",
     "chém bay đầu",
     {{"chém bay đầu", "re:chém (chết|bay đầu)", {}}}},
    {"regex_no_match", "chém gió", {}},
    {"regex_needs_token_boundaries", "chém chếtt", {}},
    {"regex_with_punct",
     "Việc nhẹ, lương cao",
     {{"Việc nhẹ, lương cao", "re:việc nhẹ (, )?lương cao", {}}}},
    {"regex_folded",
     "viec nhe luong cao",
     {{"viec nhe luong cao", "re:việc nhẹ (, )?lương cao", {"folded"}}}},
    {"regex_number", "lãi 500k/ngày", {{"500k/ngày", "re:\\d+k / ngày", {}}}},
    // --- allowlist
    // -------------------------------------------------------------
    {"allowlist_suppresses", "ngu ngơ quá", {}},
    {"allowlist_only_inside", "ngu ngơ và ngu", {{"ngu", "ngu", {}}}},
    {"allowlist_per_category", "giết thời gian", {}},
    {"allowlist_folded", "giet thoi gian", {}},
};

INSTANTIATE_TEST_SUITE_P(Cases, MatchTest, ::testing::ValuesIn(kMatchCases),
                         [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------------------
// Spans point at the right original bytes and characters.

TEST(SpanTest, BytesAndCharactersAfterNormalization) {
  // "Ông " is 5 bytes / 4 chars; "NGUUU" follows.
  Analyzer::Result r = TestAnalyzer().Analyze("Ông NGUUU");
  const std::vector<match::Hit> hits =
      TestAnalyzer().matcher().Match(r.normalized);
  ASSERT_EQ(hits.size(), 1u);
  const match::Hit& h = hits[0];
  EXPECT_EQ(h.begin, 5u);
  EXPECT_EQ(h.end, 10u);
  EXPECT_EQ(h.begin_char, 4u);
  EXPECT_EQ(h.end_char, 9u);
}

TEST(SpanTest, TeencodeHitCoversWhatWasWritten) {
  Analyzer::Result r = TestAnalyzer().Analyze("ê đm");
  ASSERT_EQ(r.verdict.hits.size(), 1u);
  EXPECT_EQ(r.verdict.hits[0].begin, 3u);
  EXPECT_EQ(r.verdict.hits[0].end, 6u);  // "ê " is 3 bytes, "đm" 3 more
  EXPECT_EQ(r.verdict.hits[0].begin_char, 2u);
  EXPECT_EQ(r.verdict.hits[0].end_char, 4u);
}

// ---------------------------------------------------------------------------
// Scores and thresholds.

struct ScoreCase {
  const char* name;
  std::string post;
  std::vector<std::string> flagged;
};

class ScoreTest : public ::testing::TestWithParam<ScoreCase> {};

TEST_P(ScoreTest, Flags) {
  Analyzer::Result r = TestAnalyzer().Analyze(GetParam().post);
  std::vector<std::string> flagged;
  for (int c = 0; c < match::kNumCategories; ++c) {
    if (r.verdict.flagged_categories & (1u << c)) {
      flagged.emplace_back(match::kCategoryNames[c]);
    }
  }
  EXPECT_THAT(flagged, ElementsAreArray(GetParam().flagged)) << GetParam().post;
  EXPECT_EQ(r.verdict.flagged, !GetParam().flagged.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ScoreTest,
    ::testing::Values(
        ScoreCase{"clean", "hôm nay trời đẹp", {}},
        // weight 1.5: logistic(-2.5 + 1.5) = 0.27 < 0.5
        ScoreCase{"weak_term_alone", "ngu", {}},
        // weight 3: logistic(0.5) = 0.62
        ScoreCase{"strong_term_alone", "óc chó", {"insult"}},
        // repeats count once: still 1.5
        ScoreCase{"repeats_count_once", "ngu ngu ngu ngu", {}},
        // weights add up only within a category: ngu (insult 1.5) and
        // giết (threat 2) flag neither
        ScoreCase{"weak_terms_other_categories", "ngu giết", {}},
        ScoreCase{"two_categories", "óc chó, đụ má", {"profanity", "insult"}},
        // spam: threshold 0.6, bias -3: weight 1 → 0.12
        ScoreCase{"category_threshold", "inbox", {}},
        ScoreCase{"self_harm", "muốn tự tử", {"self_harm"}}),
    [](const auto& info) { return info.param.name; });

// Regex constructs whose folded form could miss what the canonical pattern
// matches (a negated class naming letters, \W, \b, \p, \x, non-ASCII
// classes, counted repeats): with the prefilter the matcher finds exactly
// what it finds running every regex on every post, and each term hits.
TEST(RegexPrefilterTest, LosesNoHitOnConstructsFoldingChanges) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) /
                       ("vigil_prefilter_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::copy(testing::SourcePath("tests/fixtures/lexicon"), dir,
           fs::copy_options::recursive);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"re:ch[^a-z ]t tiệt", "chết tiệt"},      // "ế" folds to a letter
      {"re:ch\\Wt luôn", "chết luôn"},          // \W matches "ế", not "e"
      {"re:c\\bú lừa", "cú lừa"},               // a boundary before "ú"
      {"re:\\p{L}+ rác", "đồ rác"},             // a Unicode class
      {"re:gi\\x{1EBF}t người", "giết người"},  // "ế" as an escape
      {"re:nạp [0-9]{2,3}k [0-9]{2,3}k", "nạp 100k 200k"},
      {"re:[đd]ăng k[ýy]", "đăng ký"},  // a non-ASCII class
  };
  {
    std::ofstream spam(dir / "spam.tsv", std::ios::app);
    for (const auto& [term, post] : cases) {
      spam << term << "\t1\tfold\tmoderate\n";
    }
  }
  const normalize::Normalizer& normalizer = TestAnalyzer().normalizer();
  auto lexicon = match::Lexicon::Load(dir.string(), normalizer, nullptr);
  ASSERT_TRUE(lexicon.ok()) << lexicon.status();
  auto fast = match::Matcher::Create(*lexicon, normalizer);
  auto every =
      match::Matcher::Create(*lexicon, normalizer, {.prefilter = false});
  ASSERT_TRUE(fast.ok()) << fast.status();
  ASSERT_TRUE(every.ok()) << every.status();
  for (const auto& [term, post] : cases) {
    SCOPED_TRACE(post);
    for (const std::string& text :
         {post, normalizer.Normalize(post).folded()}) {
      const normalize::NormalizedText n = normalizer.Normalize(text);
      const std::vector<match::Hit> a = (*fast)->Match(n);
      const std::vector<match::Hit> b = (*every)->Match(n);
      ASSERT_EQ(a.size(), b.size()) << text;
      for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].term, b[i].term) << text;
        EXPECT_EQ(a[i].first_token, b[i].first_token) << text;
        EXPECT_EQ(a[i].last_token, b[i].last_token) << text;
      }
    }
    bool hit = false;
    for (const match::Hit& h : (*fast)->Match(normalizer.Normalize(post))) {
      hit |= "re:" + lexicon->terms()[h.term].text == term;
    }
    EXPECT_TRUE(hit) << term;
  }
}

TEST(ScoreTest, ScoresAreLogisticOfBiasPlusWeights) {
  Analyzer::Result r = TestAnalyzer().Analyze("ngu");
  const int insult = static_cast<int>(match::Category::kInsult);
  EXPECT_NEAR(r.verdict.scores[insult], 1 / (1 + std::exp(-(-2.5 + 1.5))),
              1e-9);
  const int spam = static_cast<int>(match::Category::kSpam);
  EXPECT_NEAR(r.verdict.scores[spam], 1 / (1 + std::exp(3.0)), 1e-9);
}

TEST(ScoreTest, HitsStrongestFirst) {
  Analyzer::Result r = TestAnalyzer().Analyze("ngu và óc chó");
  ASSERT_EQ(r.verdict.hits.size(), 2u);
  EXPECT_EQ(TestAnalyzer().lexicon().terms()[r.verdict.hits[0].term].text,
            "óc chó");
}

TEST(AnalyzerTest, VersionNamesContent) {
  EXPECT_THAT(TestAnalyzer().version(), ::testing::StartsWith("test-1+"));
  EXPECT_EQ(TestAnalyzer().version().size(),
            std::string("test-1+").size() + 12);
}

TEST(AnalyzerTest, ConcurrentAnalyzeIsConsistent) {
  const std::vector<std::string> posts = {"thằng ngu vcl", "du lịch", "đ.m mày",
                                          "chém chết"};
  std::vector<std::vector<ExpectedHit>> expected;
  for (const auto& p : posts) expected.push_back(Hits(p));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        const size_t k = i % posts.size();
        if (Hits(posts[k]) != expected[k]) ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

// The test lexicon's learned insult model: bias -2, "khùng" +3, "thật" -1,
// threshold 0.7.
TEST(LearnedScoreTest, LearnedModelFlagsAndExplains) {
  Analyzer::Result r = TestAnalyzer().Analyze("đồ khùng");
  const int insult = static_cast<int>(match::Category::kInsult);
  EXPECT_NEAR(r.verdict.learned_scores[insult], 1 / (1 + std::exp(-1.0)), 1e-9);
  EXPECT_TRUE(r.verdict.IsFlagged(match::Category::kInsult));
  ASSERT_EQ(r.verdict.hits.size(), 1u);
  const match::Term& t =
      TestAnalyzer().lexicon().terms()[r.verdict.hits[0].term];
  EXPECT_TRUE(t.learned);
  EXPECT_EQ(t.text, "khùng");
  EXPECT_EQ(r.verdict.hits[0].begin, 6u);  // "đồ " is 6 bytes
}

TEST(LearnedScoreTest, NegativeWeightsLowerTheScore) {
  // -2 + 3 - 1 = 0: probability 0.5 < 0.7.
  Analyzer::Result r = TestAnalyzer().Analyze("khùng thật");
  const int insult = static_cast<int>(match::Category::kInsult);
  EXPECT_NEAR(r.verdict.learned_scores[insult], 0.5, 1e-9);
  EXPECT_FALSE(r.verdict.flagged);
  EXPECT_TRUE(r.verdict.hits.empty());  // learned hits explain flags only
}

TEST(LearnedScoreTest, CuratedOnlyIgnoresLearnedLexicons) {
  auto curated = Analyzer::Load(testing::SourcePath("tests/fixtures/lexicon"),
                                nullptr, {.learned = false});
  ASSERT_TRUE(curated.ok()) << curated.status();
  EXPECT_FALSE((*curated)->Analyze("đồ khùng").verdict.flagged);
  EXPECT_NE((*curated)->version(), TestAnalyzer().version());
}

TEST(LearnedScoreTest, LearnedNgramsAreLookedUpInTheLearnedView) {
  // The same tokens read two ways: the learned n-gram "khùng" is in one of
  // them only, and counts (with that view's steps) only when it is the
  // learned view.
  const Analyzer& a = TestAnalyzer();
  const normalize::NormalizedText written = a.normalizer().Normalize("khung");
  normalize::NormalizedText read = written;
  normalize::RewriteWords(
      {{.token = 0, .canonical = "khùng", .steps = normalize::kStepRestored}},
      &read);
  const int insult = static_cast<int>(match::Category::kInsult);
  match::LearnedSums sums;
  std::vector<match::Hit> hits = a.matcher().Match(read, &sums, &written);
  EXPECT_EQ(sums.all[insult], 0);
  EXPECT_TRUE(hits.empty());
  hits = a.matcher().Match(written, &sums, &read);
  EXPECT_EQ(sums.all[insult], 3);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].via & normalize::kStepRestored, normalize::kStepRestored);
  // Without a learned view, the matched view is the learned one.
  a.matcher().Match(read, &sums);
  EXPECT_EQ(sums.all[insult], 3);
}

TEST(LearnedScoreTest, ScoreIsTheLargerOfCuratedAndLearned) {
  Analyzer::Result r = TestAnalyzer().Analyze("óc chó khùng");
  const int insult = static_cast<int>(match::Category::kInsult);
  const double curated = 1 / (1 + std::exp(-(-2.5 + 3)));
  const double learned = 1 / (1 + std::exp(-(-2 + 3)));
  EXPECT_NEAR(r.verdict.scores[insult], std::max(curated, learned), 1e-9);
}

}  // namespace
}  // namespace vigil
