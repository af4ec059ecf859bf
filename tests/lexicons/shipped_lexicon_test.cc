// The shipped lexicons: they load and lint clean, and on posts written for
// this test each category catches what it is for while ordinary posts that
// contain the same syllables stay clean.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_split.h"
#include "analyzers/analyzer.h"
#include "analyzers/learn/trainer.h"
#include "analyzers/match/lexicon.h"
#include "analyzers/match/matcher.h"
#include "analyzers/score/metrics.h"
#include "analyzers/util/csv.h"
#include "tests/test_data.h"

namespace vigil {
namespace {

using ::testing::ElementsAreArray;

const Analyzer& Shipped() {
  static const std::shared_ptr<const Analyzer> a = [] {
    std::vector<match::LexiconProblem> problems;
    auto loaded = Analyzer::Load(testing::SourcePath("lexicons"), &problems);
    for (const auto& p : problems)
      ADD_FAILURE() << p.where << ": " << p.message;
    return loaded.ok() ? *loaded : nullptr;
  }();
  return *a;
}

TEST(ShippedLexiconTest, LintsClean) {
  std::vector<match::LexiconProblem> problems = match::Lexicon::Lint(
      testing::SourcePath("lexicons"), Shipped().normalizer());
  for (const auto& p : problems) ADD_FAILURE() << p.where << ": " << p.message;
}

TEST(ShippedLexiconTest, EveryCategoryHasEntries) {
  std::array<int, match::kNumCategories> counts{};
  for (const match::Term& t : Shipped().lexicon().terms()) {
    ++counts[static_cast<int>(t.category)];
  }
  for (int c = 0; c < match::kNumCategories; ++c) {
    EXPECT_GE(counts[c], 20) << match::kCategoryNames[c];
  }
  EXPECT_GE(Shipped().lexicon().allowlist().size(), 20u);
}

struct Case {
  const char* name;
  std::string post;
  std::vector<std::string> flagged;
};

// One test over the whole table: each case alone would be a process of
// its own (gtest_discover_tests) paying the 2 s load of the shipped
// lexicons again.
const Case kVerdictCases[] = {
    // One per category.
    Case{"insult", "mày là đồ óc chó", {"insult"}},
    // an attack on a group is harassment too
    Case{"hate", "bọn bắc kỳ", {"insult", "hate"}},
    Case{"threat", "tao sẽ giết mày", {"threat"}},
    Case{"sexual", "địt nhau không em", {"sexual"}},
    Case{"sexual_solicitation", "tìm bạn tình qua đêm", {"sexual"}},
    // A lighter frame ("massage ... cho nam") must not swallow a stronger
    // wording inside it ("massage kích dục").
    Case{"sexual_massage", "massage kích dục cho nam", {"sexual"}},
    Case{"porn_sale", "bán ảnh nude tự chụp", {"sexual"}},
    // Film ratings, lodging and trains share words with sex ads.
    Case{"film_rating", "phim này gắn nhãn 18+ vì bạo lực", {}},
    Case{"motel", "nhà nghỉ gần bến xe sạch sẽ, 250k một đêm", {}},
    Case{"express_train", "mua vé tàu nhanh Hà Nội Lào Cai ở đâu", {}},
    Case{"self_harm", "tôi muốn tự tử", {"self_harm"}},
    Case{"scam", "nạp 100k nhận 200k", {"scam"}},
    Case{"spam", "follow chéo nhé", {"spam"}},
    Case{"profanity_teencode", "dm thằng ngu", {"profanity", "insult"}},
    Case{"profanity_joined", "đ.m cuộc đời", {"profanity"}},
    Case{"unaccented_insult", "may la thang oc cho", {"insult"}},
    // Ordinary posts sharing syllables with terms.
    Case{"travel", "đi du lịch Đà Lạt", {}},
    Case{"weather", "hôm nay trời đẹp quá", {}},
    Case{"pet_dog", "con chó nhà tôi dễ thương", {}},
    Case{"hyperbole", "cười muốn chết", {}},
    Case{"kill_time", "giết thời gian", {}},
    Case{"beer_can", "lon bia này ngon", {}},
    Case{"enough", "đủ rồi nhé", {}},
    Case{"unaccented_travel", "di du lich da lat", {}},
    // Severity: a casual intensifier aimed at no one is mild and does
    // not flag at the default min_severity; aimed at someone it does.
    Case{"vl_intensifier", "phim hay vl", {}},
    Case{"vcl_intensifier", "đẹp vcl", {}},
    Case{"vai_wow", "vãi thật, đỉnh quá", {}},
    Case{"dm_may", "đm mày", {"insult"}},
    Case{"vl_with_insult", "thằng ngu vl", {"profanity", "insult"}},
    // Legitimate messages written without diacritics (bank, telecom,
    // shop): their folded syllables collide with learned n-grams.
    Case{"sms_password",
         "Mat khau cua quy khach da duoc thay doi thanh cong",
         {}},
    Case{"sms_otp",
         "Ma OTP cua quy khach la 482913. Khong chia se ma nay cho bat "
         "ky ai",
         {}},
    Case{"sms_shop", "Don hang cua ban da duoc giao, vui long nhan hang", {}},
    Case{"sms_telecom",
         "Quy khach vao muc cai dat de kiem tra dung luong con lai",
         {}},
    // Code-mixed English.
    Case{"english_bitch", "đồ bitch", {"insult"}},
    Case{"english_loser", "mày là thằng loser", {"insult"}},
    // The insult frame: a classifier aimed at a person + a vice flags; the
    // vice alone, and praise comparisons, do not.
    Case{"frame_vice", "đúng là đồ vô ơn", {"insult"}},
    Case{"frame_vice_unaccented", "thang an bam", {"insult"}},
    Case{"vice_described", "anh ấy hơi ích kỷ", {}},
    Case{"animal_comparison", "nhìn mặt như con lợn", {"insult"}},
    Case{"praise_comparison", "khỏe như trâu", {}},
    // Urging a person to die is harassment as well as self-harm talk.
    Case{"urging_to_die", "mày nên chết đi", {"insult", "self_harm"}},
};

TEST(ShippedVerdictTest, FlagsWhatEachCaseSays) {
  for (const Case& c : kVerdictCases) {
    SCOPED_TRACE(c.name);
    const score::Verdict v = Shipped().Analyze(c.post).verdict;
    std::vector<std::string> flagged;
    for (int k = 0; k < match::kNumCategories; ++k) {
      if (v.flagged_categories & (1u << k))
        flagged.emplace_back(match::kCategoryNames[k]);
    }
    EXPECT_THAT(flagged, ElementsAreArray(c.flagged)) << c.post;
  }
}

// Entries added to the teencode table from ViSoLex NSW and misaki-vi
// (lexicons/teencode.tsv, last section): plain ones are rewritten, ambiguous
// ones are left as written with their readings as candidates, and a
// curated spelling they replaced is found through its term.
TEST(ShippedTeencodeTest, AddedEntriesReadAsTheTableSays) {
  struct Row {
    const char* post;
    const char* canonical;
  };
  for (const Row& row : std::vector<Row>{
           {"mày chưởi ai", "mày chửi ai"},
           {"kôg biết", "không biết"},
           {"ngừj ta", "người ta"},
           {"cnó qđ rồi", "chúng nó quyết định rồi"},
           {"thag này", "thằng này"},
           {"trúng xs", "trúng xs"},  // ambiguous: xuất sắc or xổ số
           {"đặc quánh", "đặc quánh"},
       }) {
    EXPECT_EQ(Shipped().normalizer().Normalize(row.post).canonical(),
              row.canonical)
        << row.post;
  }
  // "óc cức" was a curated spelling; now it is "óc cứt" via teencode.
  const Analyzer::Result r = Shipped().Analyze("óc cức");
  ASSERT_FALSE(r.verdict.hits.empty());
  EXPECT_EQ(Shipped().lexicon().terms()[r.verdict.hits[0].term].text, "óc cứt");
  EXPECT_TRUE(r.verdict.hits[0].via & normalize::kStepTeencode);
}

// The shipped language model reads a post written without diacritics: a
// curated hit on the reading carries the step and the span as written; a
// name and an English word stay as written; a post with diacritics is read
// only where it has an ambiguous abbreviation.
TEST(ShippedReadingTest, UnaccentedPostsAreReadWithTheirSpansKept) {
  ASSERT_NE(Shipped().language_model(), nullptr);
  const std::string post = "may la thang cho";
  const Analyzer::Result r = Shipped().Analyze(post);
  EXPECT_NE(r.normalized.canonical(), r.normalized.folded());
  // "thằng chó", a curated insult, on the reading of "thang cho".
  bool restored_hit = false;
  for (const match::Hit& h : r.verdict.hits) {
    if ((h.via & normalize::kStepRestored) &&
        post.substr(h.begin, h.end - h.begin) == "thang cho" &&
        Shipped().lexicon().terms()[h.term].text == "thằng chó") {
      restored_hit = true;
    }
  }
  EXPECT_TRUE(restored_hit);
  for (const normalize::Token& t : r.normalized.tokens()) {
    EXPECT_EQ(r.normalized.folded_text(t),
              Shipped().normalizer().Normalize(post).folded_text(t));
  }
  EXPECT_EQ(Shipped().Read("john oi, ok bro").canonical().substr(0, 4), "john");
  EXPECT_THAT(Shipped().Read("john oi, ok bro").canonical(),
              ::testing::HasSubstr("ok bro"));
  EXPECT_EQ(Shipped().Read("Hôm nay con di hoc").canonical(),
            "hôm nay con di hoc");
}

// Hits explain flags: only flagged categories' hits are reported, and no
// learned n-gram made only of stop words or single letters is one.
TEST(ShippedExplanationTest, HitsExplainFlaggedCategoriesOnly) {
  for (const char* post :
       {"Thằng này ngu vcl", "phim hay vl nhưng thằng kia ngu vãi",
        "mày với nó vào đây mà xem cả cái lũ óc chó", "đẹp vãi chưởng"}) {
    const score::Verdict v = Shipped().Analyze(post).verdict;
    for (const match::Hit& h : v.hits) {
      const match::Term& t = Shipped().lexicon().terms()[h.term];
      EXPECT_TRUE(v.IsFlagged(t.category))
          << post << ": hit '" << t.text << "' of unflagged "
          << match::CategoryName(t.category);
      for (const char* function_word : {"này", "với", "vào", "cả", "mà"}) {
        EXPECT_NE(t.text, function_word) << post;
      }
    }
  }
  EXPECT_TRUE(Shipped().Analyze("phim hay vl").verdict.hits.empty());
}

TEST(ShippedExplanationTest, NoLearnedTermIsOnlyFunctionWords) {
  absl::StatusOr<std::unordered_set<std::string>> stop = learn::LoadStopWords(
      testing::SourcePath("lexicons/stopwords.txt"), Shipped().normalizer());
  ASSERT_TRUE(stop.ok()) << stop.status();
  ASSERT_TRUE(stop->contains("này"));
  size_t learned = 0;
  for (const match::Term& t : Shipped().lexicon().terms()) {
    if (!t.learned) continue;
    ++learned;
    bool content = false;
    for (const std::string& s :
         std::vector<std::string>(absl::StrSplit(t.text, ' '))) {
      const bool single_letter =
          Shipped().normalizer().Normalize(s).tokens()[0].end_char == 1;
      content = content || (!single_letter && !stop->contains(s));
    }
    EXPECT_TRUE(content) << t.where << ": '" << t.text << "'";
  }
  EXPECT_GT(learned, 1000u);
}

// The verdict carries severities, and min_severity is configurable: with
// mild allowed, the intensifier alone flags.
TEST(ShippedSeverityTest, MinSeverityIsConfigurable) {
  const score::Verdict v = Shipped().Analyze("phim hay vl").verdict;
  EXPECT_FALSE(v.flagged);
  EXPECT_EQ(v.severities[0], match::Severity::kMild);
  const score::Verdict dm = Shipped().Analyze("đm mày").verdict;
  EXPECT_GE(dm.severities[1], match::Severity::kModerate);
  ASSERT_FALSE(dm.hits.empty());
  EXPECT_EQ(dm.hits[0].severity, match::Severity::kModerate);

  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) /
                       ("vigil_min_severity_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::copy(testing::SourcePath("lexicons"), dir, fs::copy_options::recursive);
  std::ifstream in(dir / "manifest.tsv");
  std::string manifest((std::istreambuf_iterator<char>(in)), {});
  const std::string from = "min_severity\t*\tmoderate";
  ASSERT_NE(manifest.find(from), std::string::npos);
  manifest.replace(manifest.find(from), from.size(), "min_severity\t*\tmild");
  std::ofstream(dir / "manifest.tsv", std::ios::trunc) << manifest;
  auto mild = Analyzer::Load(dir.string());
  ASSERT_TRUE(mild.ok()) << mild.status();
  EXPECT_TRUE((*mild)
                  ->Analyze("phim hay vl")
                  .verdict.IsFlagged(match::Category::kProfanity));
}

// The regex prefilter (one Hyperscan pass naming the regex terms that may
// match) loses no hit: on real, synthetic and generated posts and their
// unaccented copies, the curated lexicons find exactly what they find when
// every regex term runs on every post.
TEST(ShippedPrefilterTest, FindsWhatRunningEveryRegexFinds) {
  const normalize::Normalizer& normalizer = Shipped().normalizer();
  auto lexicon =
      match::Lexicon::Load(testing::SourcePath("lexicons"), normalizer, nullptr,
                           /*include_learned=*/false);
  ASSERT_TRUE(lexicon.ok()) << lexicon.status();
  auto fast = match::Matcher::Create(*lexicon, normalizer);
  auto every =
      match::Matcher::Create(*lexicon, normalizer, {.prefilter = false});
  ASSERT_TRUE(fast.ok()) << fast.status();
  ASSERT_TRUE(every.ok()) << every.status();

  std::vector<std::string> posts = testing::SharedPosts(1500);
  if (posts.empty() && testing::SharedRequired()) {
    FAIL() << "../shared/data is absent (VIGIL_REQUIRE_SHARED=1)";
  }
  for (std::string& p : testing::GeneratedPosts(500, 7)) {
    posts.push_back(std::move(p));
  }
  // Posts written to hit the regex terms: scam, spam, threat.
  for (const char* p :
       {"tao sẽ giết mày", "tụi tao sẽ kéo người qua chém cả nhà mày",
        "vay 5 triệu giải ngân trong 5 phút không cần thế chấp",
        "tài khoản của quý khách đã bị khóa, truy cập vietcombank-xacminh.com",
        "inbox 0912 345 678 để được tư vấn",
        "xem phim full hd miễn phí tại "
        "phimhay.net",
        "nếu không thanh toán trong hôm nay sẽ bị khóa thẻ"}) {
    posts.emplace_back(p);
  }
  const size_t originals = posts.size();
  for (size_t i = 0; i < originals; ++i) {
    posts.push_back(normalizer.Normalize(posts[i]).folded());
  }
  size_t regex_hits = 0;
  for (const std::string& post : posts) {
    const normalize::NormalizedText text = normalizer.Normalize(post);
    const std::vector<match::Hit> a = (*fast)->Match(text);
    const std::vector<match::Hit> b = (*every)->Match(text);
    ASSERT_EQ(a.size(), b.size()) << post;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].term, b[i].term) << post;
      EXPECT_EQ(a[i].first_token, b[i].first_token) << post;
      EXPECT_EQ(a[i].last_token, b[i].last_token) << post;
      EXPECT_EQ(a[i].via, b[i].via) << post;
      regex_hits += lexicon->terms()[a[i].term].is_regex;
    }
  }
  // Not vacuous: regex terms hit, among them one the matcher cannot expand
  // into phrases (a counted repeat), so it went through the prefilter.
  EXPECT_GE(regex_hits, 10u);
  bool counted_repeat = false;
  for (const match::Hit& h :
       (*fast)->Match(normalizer.Normalize("inbox 0912 345 678 nhé"))) {
    counted_repeat |=
        lexicon->terms()[h.term].text.find("{7}") != std::string::npos;
  }
  EXPECT_TRUE(counted_repeat);
}

}  // namespace
}  // namespace vigil
