// Diacritic restoration: a model built from a few sentences, then the
// shipped model on phrases whose meaning is plain.
#include "analyzers/lm/restorer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "analyzers/lm/lm_builder.h"
#include "analyzers/lm/syllable_lm.h"
#include "analyzers/normalize/normalizer.h"
#include "tests/test_data.h"

namespace vigil::lm {
namespace {

const normalize::Normalizer& Shipped() {
  static const std::unique_ptr<const normalize::Normalizer> n = [] {
    auto created = normalize::Normalizer::Create(
        {.teencode_path = testing::SourcePath("lexicons/teencode.tsv")});
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? *std::move(created) : nullptr;
  }();
  return *n;
}

// A model from sentences where "đi học" and "hôm nay" are common and "má"
// follows "thương": enough context to tell the folded words apart.
std::shared_ptr<const SyllableLm> SmallModel() {
  LmBuilder b(Shipped());
  for (int i = 0; i < 20; ++i) {
    b.AddPost("Hôm nay con đi học.", 1);
    b.AddPost("Con thương má lắm.", 1);
    b.AddPost("Mà hôm nay trời mưa.", 1);
    b.AddPost("Đi chơi vui quá!", 1);
  }
  b.AddPost("hom nay di hoc", 100);  // without diacritics: never counted
  auto lm = SyllableLm::Parse(b.Write({.min_syllable = 1, .min_pair = 1}, ""),
                              "small");
  EXPECT_TRUE(lm.ok()) << lm.status();
  return lm.ok() ? *lm : nullptr;
}

std::string RestoreText(const SyllableLm& lm, const std::string& post,
                        double min_confidence = 0.9) {
  const normalize::NormalizedText n = Shipped().Normalize(post);
  return RestoredCanonical(n, Restore(lm, Shipped().teencode(), n,
                                      {.min_confidence = min_confidence}));
}

struct Case {
  const char* name;
  const char* post;
  const char* restored;
};

class SmallModelTest : public ::testing::TestWithParam<Case> {};

TEST_P(SmallModelTest, Restores) {
  std::shared_ptr<const SyllableLm> lm = SmallModel();
  ASSERT_NE(lm, nullptr);
  EXPECT_EQ(RestoreText(*lm, GetParam().post), GetParam().restored);
}

INSTANTIATE_TEST_SUITE_P(
    Phrases, SmallModelTest,
    ::testing::Values(
        Case{"whole_sentence", "hom nay con di hoc", "hôm nay con đi học"},
        // The context picks one of the words "ma" folds from.
        Case{"ma_after_thuong", "con thuong ma lam", "con thương má lắm"},
        // Words written with diacritics are kept, and give context.
        Case{"accented_context", "Hôm nay di hoc", "hôm nay đi học"},
        // A word the model does not know stays as written.
        Case{"unknown_word", "di hoc tiktok", "đi học tiktok"},
        // Punctuation ends a sentence; offsets and tokens stay as they were.
        Case{"punctuation", "di choi vui qua !", "đi chơi vui quá !"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RestorerTest, UnsureWordsStayAsWritten) {
  std::shared_ptr<const SyllableLm> lm = SmallModel();
  ASSERT_NE(lm, nullptr);
  // "ma" after "vui": mà and má are equally common, and neither ever
  // followed "vui".
  const normalize::NormalizedText n = Shipped().Normalize("vui ma");
  const std::vector<Choice> c =
      Restore(*lm, Shipped().teencode(), n, {.min_confidence = 0.9});
  ASSERT_EQ(c.size(), 2u);
  EXPECT_TRUE(c[1].open);
  EXPECT_FALSE(c[1].restored);
  EXPECT_LT(c[1].confidence, 0.9);
  EXPECT_GT(c[1].confidence, 0.3);
  EXPECT_EQ(c[1].candidates.size(), 2u);
  EXPECT_EQ(RestoredCanonical(n, c), "vui ma");
  // At a lower bar it takes one of them.
  EXPECT_NE(RestoreText(*lm, "vui ma", 0.3), "vui ma");
}

TEST(RestorerTest, EveryTokenKeepsItsOffsets) {
  std::shared_ptr<const SyllableLm> lm = SmallModel();
  ASSERT_NE(lm, nullptr);
  const normalize::NormalizedText n =
      Shipped().Normalize("di hoc, 10 diem 🎉 https://x.vn hom nay");
  const std::vector<Choice> c = Restore(*lm, Shipped().teencode(), n, {});
  ASSERT_EQ(c.size(), n.tokens().size());
  for (size_t i = 0; i < c.size(); ++i) {
    if (n.tokens()[i].kind != normalize::TokenKind::kWord) {
      EXPECT_FALSE(c[i].open) << i;
    }
  }
  // One word per token, in order: the restored text splits like canonical.
  const std::string restored = RestoredCanonical(n, c);
  EXPECT_EQ(std::count(restored.begin(), restored.end(), ' '),
            std::count(n.canonical().begin(), n.canonical().end(), ' '));
}

// A word two back decides: after "đi", "chợ" and "chờ" are equally common,
// but "bà đi" is always followed by "chợ" and "bá đi" by "chờ". Only a
// model with triples reads "cho" there.
TEST(RestorerTest, TriplesReadWhatPairsCannot) {
  LmBuilder b(Shipped());
  for (int i = 0; i < 20; ++i) {
    b.AddPost("Bà đi chợ.", 1);
    b.AddPost("Bá đi chờ.", 1);
  }
  auto pairs = SyllableLm::Parse(
      b.Write({.min_syllable = 1, .min_pair = 1}, ""), "pairs");
  auto triples = SyllableLm::Parse(
      b.Write({.min_syllable = 1, .min_pair = 1, .min_triple = 1}, ""),
      "triples");
  ASSERT_TRUE(pairs.ok() && triples.ok());
  EXPECT_EQ((*pairs)->triple_count(), 0u);
  EXPECT_GT((*triples)->triple_count(), 0u);
  const int32_t ba = (*triples)->IdOf("bà"), di = (*triples)->IdOf("đi");
  const int32_t cho = (*triples)->IdOf("chợ"), cho2 = (*triples)->IdOf("chờ");
  EXPECT_NEAR((*triples)->Prob(di, cho), (*triples)->Prob(di, cho2), 1e-12);
  EXPECT_GT((*triples)->Prob(ba, di, cho), 10 * (*triples)->Prob(ba, di, cho2));
  // With no triple history, the pair model.
  EXPECT_EQ((*triples)->Prob(SyllableLm::kUnknown, di, cho),
            (*triples)->Prob(di, cho));
  EXPECT_EQ(RestoreText(**pairs, "bà di cho"), "bà đi cho");
  EXPECT_EQ(RestoreText(**triples, "bà di cho"), "bà đi chợ");
  EXPECT_EQ(RestoreText(**triples, "bá di cho"), "bá đi chờ");
}

// Ambiguous teencode ("ck": chồng or chuyển khoản in lexicons/teencode.tsv)
// read by its neighbours, both ways.
TEST(RestorerTest, AmbiguousTeencodeIsReadInContext) {
  LmBuilder b(Shipped());
  for (int i = 0; i < 20; ++i) {
    b.AddPost("Anh chuyển khoản cho em rồi.", 1);
    b.AddPost("Chồng em đi làm rồi.", 1);
  }
  auto lm = SyllableLm::Parse(b.Write({.min_syllable = 1, .min_pair = 1}, ""),
                              "teencode");
  ASSERT_TRUE(lm.ok()) << lm.status();
  EXPECT_EQ(RestoreText(**lm, "anh ck cho em roi"),
            "anh chuyển khoản cho em rồi");
  EXPECT_EQ(RestoreText(**lm, "ck em di lam roi"), "chồng em đi làm rồi");
  const normalize::NormalizedText n = Shipped().Normalize("ck em");
  const std::vector<Choice> c = Restore(**lm, Shipped().teencode(), n, {});
  ASSERT_TRUE(c[0].open);
  EXPECT_THAT(c[0].candidates,
              ::testing::IsSupersetOf({"chồng", "chuyển khoản"}));
}

// The shipped model (lexicons/lm/syllables.tsv.gz).
const SyllableLm& ShippedModel() {
  static const std::shared_ptr<const SyllableLm> lm = [] {
    auto loaded =
        SyllableLm::Load(testing::SourcePath("lexicons/lm/syllables.tsv.gz"));
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return loaded.ok() ? *loaded : nullptr;
  }();
  return *lm;
}

// Over real posts stripped of their diacritics, and generated hostile
// ones: restoration keeps every token, only ever adds diacritics to a
// bare word (a restored word folds back to what was written), and reads an
// ambiguous teencode word only as one of its table's expansions.
TEST(RestorerPropertyTest, RestoringOnlyAddsDiacritics) {
  std::vector<std::string> posts = testing::SharedPosts(3000);
  if (posts.empty()) VIGIL_SKIP_WITHOUT_SHARED("real posts are in ../shared");
  for (std::string& p : posts) p = Shipped().Normalize(p).folded();
  for (std::string& p : testing::GeneratedPosts(1000, 7)) {
    posts.push_back(std::move(p));
  }
  const SyllableLm& lm = ShippedModel();
  size_t restored = 0;
  for (const std::string& post : posts) {
    const normalize::NormalizedText n = Shipped().Normalize(post);
    const std::vector<Choice> c =
        Restore(lm, Shipped().teencode(), n, {.min_confidence = 0.5});
    ASSERT_EQ(c.size(), n.tokens().size()) << post;
    for (size_t i = 0; i < c.size(); ++i) {
      if (!c[i].restored) continue;
      ++restored;
      const normalize::Token& t = n.tokens()[i];
      const std::string& chosen = c[i].candidates[c[i].best];
      if (t.ambiguous_teencode >= 0) {
        const auto& e = Shipped().teencode().entry(t.ambiguous_teencode);
        const bool expansion =
            std::find(e.expansions.begin(), e.expansions.end(), chosen) !=
            e.expansions.end();
        if (expansion) continue;
      }
      EXPECT_EQ(Shipped().Normalize(chosen).folded(), n.folded_text(t))
          << post << " token " << i << " → " << chosen;
    }
  }
  EXPECT_GT(restored, posts.size());  // it did restore, a lot
}

class ShippedModelTest : public ::testing::TestWithParam<Case> {};

TEST_P(ShippedModelTest, Restores) {
  EXPECT_EQ(RestoreText(ShippedModel(), GetParam().post), GetParam().restored);
}

INSTANTIATE_TEST_SUITE_P(
    Phrases, ShippedModelTest,
    ::testing::Values(
        Case{"outing", "hom nay di choi vui qua", "hôm nay đi chơi vui quá"},
        Case{"school", "cho con di hoc", "cho con đi học"},
        Case{"password_sms", "mat khau cua quy khach da duoc thay doi",
             "mật khẩu của quy khách đã được thay đổi"},
        // Ambiguous teencode read in context: "k" không, "ntn" như thế
        // nào, "z" vậy.
        Case{"teencode_k", "t k biet", "t không biết"},
        Case{"teencode_ntn", "ntn z", "như thế nào vậy"},
        // A number is context (<num>), not the end of a sentence.
        Case{"number_context", "nam 1991 anh ay sinh ra",
             "năm 1991 anh ấy sinh ra"},
        // Names and English words stay as written.
        Case{"names", "donald trump noi ve thue", "donald trump nói về thuế"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace vigil::lm
