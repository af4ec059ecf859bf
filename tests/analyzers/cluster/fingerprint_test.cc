#include "analyzers/cluster/fingerprint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyzers/normalize/normalizer.h"
#include "tests/test_data.h"

namespace vigil::cluster {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class FingerprintTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    normalize::Normalizer::Options options;
    options.teencode_path = testing::SourcePath("lexicons/teencode.tsv");
    auto n = normalize::Normalizer::Create(options);
    ASSERT_TRUE(n.ok()) << n.status();
    normalizer_ = n->release();
  }
  static void TearDownTestSuite() { delete normalizer_; }

  static std::optional<Fingerprint> Of(const std::string& post) {
    return Fingerprint::Of(normalizer_->Normalize(post));
  }
  static double Sim(const std::string& a, const std::string& b) {
    auto fa = Of(a), fb = Of(b);
    EXPECT_TRUE(fa.has_value() && fb.has_value()) << a << " | " << b;
    return fa && fb ? Similarity(*fa, *fb) : 0;
  }

  static const normalize::Normalizer* normalizer_;
};

const normalize::Normalizer* FingerprintTest::normalizer_ = nullptr;

constexpr char kScam[] =
    "Chúc mừng bạn đã trúng thưởng 5.000.000đ, truy cập bit.ly/qua-tang "
    "và điền thông tin trước 23h hôm nay để nhận quà";

TEST_F(FingerprintTest, MaskedPartsAndSpellingChangeNothing) {
  // Another amount, link, time; no diacritics; teencode; emoji.
  const std::string variants[] = {
      "Chúc mừng bạn đã trúng thưởng 3.000.000đ, truy cập tinyurl.com/xyz "
      "và điền thông tin trước 21h hôm nay để nhận quà",
      "Chuc mung ban da trung thuong 5.000.000d, truy cap bit.ly/qua-tang va "
      "dien thong tin truoc 23h hom nay de nhan qua",
      "🎁🎁 Chúc mừng bạn đã trúng thưởng 5.000.000đ!!! truy cập "
      "bit.ly/qua-tang và điền thông tin trước 23h hôm nay để nhận quà 🎁",
      "CHÚC MỪNG BẠN ĐÃ TRÚNG THƯỞNG 5.000.000Đ, TRUY CẬP BIT.LY/QUA-TANG VÀ "
      "ĐIỀN THÔNG TIN TRƯỚC 23H HÔM NAY ĐỂ NHẬN QUÀ",
  };
  for (const std::string& v : variants) {
    EXPECT_EQ(Sim(kScam, v), 1.0) << v;
  }
  // Teencode expands to the same words: "ko" is "không", "đc" "được".
  EXPECT_EQ(Sim("Bạn không được bỏ lỡ cơ hội nhận quà hôm nay nhé",
                "Bạn ko đc bỏ lỡ cơ hội nhận quà hôm nay nhé"),
            1.0);
}

TEST_F(FingerprintTest, EditsLowerSimilarityByTheirSize) {
  const double swapped = Sim(
      kScam,
      "Chúc mừng bạn đã trúng thưởng 5.000.000đ, điền thông tin và truy cập "
      "bit.ly/qua-tang trước 23h hôm nay để nhận quà");
  const double one_word =
      Sim(kScam,
          "Chúc mừng anh đã trúng thưởng 5.000.000đ, truy cập bit.ly/qua-tang "
          "và điền thông tin trước 23h hôm nay để nhận quà");
  const double unrelated =
      Sim(kScam,
          "Hôm nay trời mưa to quá, cả nhà nhớ mang áo mưa khi đi làm "
          "và về sớm nhé");
  EXPECT_GT(one_word, 0.7);
  EXPECT_GT(swapped, 0.5);
  EXPECT_LT(unrelated, 0.2);
  EXPECT_GT(one_word, unrelated);
}

TEST_F(FingerprintTest, ShortPostsHaveNone) {
  EXPECT_EQ(Of("đồ ngu vl"), std::nullopt);
  EXPECT_EQ(Of("😡😡😡 !!!"), std::nullopt);
  EXPECT_EQ(Of(""), std::nullopt);
  EXPECT_NE(Of("mày là đồ ngu vl"), std::nullopt);
  // Counted as written: the expansion of "cmm" does not make it longer.
  EXPECT_EQ(Of("nhanh chậm cmm :))"), std::nullopt);
}

TEST_F(FingerprintTest, TokensMaskNumbersLinksAndMentions) {
  const normalize::NormalizedText n = normalizer_->Normalize(
      "Ib @shop_xinh hoặc gọi 0912.345.678, web shop.vn 😍");
  std::vector<std::string> texts;
  for (const FingerprintToken& t : FingerprintTokens(n)) {
    texts.emplace_back(t.text);
  }
  EXPECT_THAT(texts, ElementsAre("ib", "<mention>", "hoac", "goi", "<number>",
                                 "web", "<link>"));
}

TEST_F(FingerprintTest, SerializesAndParsesBack) {
  auto f = Of(kScam);
  ASSERT_TRUE(f.has_value());
  const std::string bytes = f->Serialize();
  EXPECT_EQ(bytes.size(), 4u * kHashes);
  auto parsed = Fingerprint::Parse(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, *f);
  EXPECT_FALSE(Fingerprint::Parse(bytes.substr(1)).ok());
  EXPECT_FALSE(Fingerprint::Parse("").ok());
}

TEST_F(FingerprintTest, IdenticalPostsShareEveryBandOthersNone) {
  auto a = Of(kScam), b = Of(kScam);
  auto c = Of("Hôm nay trời mưa to quá, cả nhà nhớ mang áo mưa khi đi làm");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(BandKeys(*a), BandKeys(*b));
  int shared = 0;
  for (int64_t ka : BandKeys(*a)) {
    for (int64_t kc : BandKeys(*c)) shared += ka == kc;
  }
  EXPECT_EQ(shared, 0);
}

TEST_F(FingerprintTest, FixedAcrossBuilds) {
  // Stored fingerprints compare across builds and instances: the hashes are
  // fixed. A change here orphans every stored fingerprint.
  auto f = Of("một hai ba bốn năm");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->minhash[0], Of("mot hai ba bon nam")->minhash[0]);
  EXPECT_EQ(f->Serialize(), Of("Một  hai, ba; bốn... năm!")->Serialize());
}

TEST_F(FingerprintTest, VaryingSpansMarkWhatChanges) {
  const std::vector<std::string> posts = {
      "Liên hệ 0912.345.678 để nhận quà tặng miễn phí hôm nay",
      "Liên hệ 0987.654.321 để nhận quà tặng miễn phí hôm nay",
      "Liên hệ 0912.345.678 để nhận ngay quà tặng miễn phí hôm nay",
  };
  std::vector<std::string_view> views(posts.begin(), posts.end());
  std::vector<normalize::NormalizedText> normalized;
  for (const std::string& p : posts) {
    normalized.push_back(normalizer_->Normalize(p));
  }
  const auto spans = VaryingSpans(views, normalized);
  ASSERT_EQ(spans.size(), 3u);
  auto text = [&](int post, const ByteSpan& s) {
    return posts[post].substr(s.begin, s.end - s.begin);
  };
  // The number two posts share does not vary; the third's does.
  EXPECT_THAT(spans[0], IsEmpty());
  ASSERT_EQ(spans[1].size(), 1u);
  EXPECT_EQ(text(1, spans[1][0]), "0987.654.321");
  ASSERT_EQ(spans[2].size(), 1u);
  EXPECT_EQ(text(2, spans[2][0]), "ngay");
  EXPECT_THAT(VaryingSpans({views[0]}, {normalized[0]}),
              ElementsAre(IsEmpty()));
}

}  // namespace
}  // namespace vigil::cluster
