#include "analyzers/normalize/vietnamese.h"

#include <gtest/gtest.h>
#include <unicode/unistr.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/test_data.h"

namespace vigil::normalize {
namespace {

std::u32string ToU32(const std::string& s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  std::u32string out;
  for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1)) {
    out.push_back(u.char32At(i));
  }
  return out;
}

std::string ToUtf8(const std::u32string& s) {
  std::string out;
  icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(s.data()),
                                static_cast<int32_t>(s.size()))
      .toUTF8String(out);
  return out;
}

// Applies PlaceTone to a whole syllable given as UTF-8.
std::string Placed(const std::string& syllable, bool* moved = nullptr) {
  std::u32string s = ToU32(syllable);
  const bool m = PlaceTone(s.data(), static_cast<int>(s.size()));
  if (moved != nullptr) *moved = m;
  return ToUtf8(s);
}

struct ToneCase {
  const char* in;
  const char* out;
  bool moved;
};

class PlaceToneTest : public ::testing::TestWithParam<ToneCase> {};

TEST_P(PlaceToneTest, OldStyle) {
  bool moved = false;
  EXPECT_EQ(Placed(GetParam().in, &moved), GetParam().out);
  EXPECT_EQ(moved, GetParam().moved) << GetParam().in;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PlaceToneTest,
    ::testing::Values(
        ToneCase{"hoà", "hòa", true}, ToneCase{"hòa", "hòa", false},
        ToneCase{"thuỷ", "thủy", true}, ToneCase{"khoẻ", "khỏe", true},
        ToneCase{"oà", "òa", true}, ToneCase{"hoàn", "hoàn", false},
        ToneCase{"hòan", "hoàn", true}, ToneCase{"quá", "quá", false},
        ToneCase{"qúa", "quá", true}, ToneCase{"quýt", "quýt", false},
        ToneCase{"gìa", "già", true}, ToneCase{"gìn", "gìn", false},
        ToneCase{"giữa", "giữa", false}, ToneCase{"ngừơi", "người", true},
        ToneCase{"ngươì", "người", true}, ToneCase{"thủơ", "thuở", true},
        ToneCase{"ngoaì", "ngoài", true}, ToneCase{"khuyủ", "khuỷu", true},
        ToneCase{"muà", "mùa", true}, ToneCase{"tiá", "tía", true},
        ToneCase{"tìên", "tiền", true}, ToneCase{"hoạch", "hoạch", false},
        ToneCase{"huýt", "huýt", false}, ToneCase{"xoóng", "xoóng", false},
        ToneCase{"cưú", "cứu", true}, ToneCase{"ý", "ý", false},
        ToneCase{"ngu", "ngu", false}, ToneCase{"café", "café", false},
        ToneCase{"hoàá", "hoàá", false}, ToneCase{"gìà", "già", true},
        ToneCase{"chíến", "chiến", true}, ToneCase{"fà", "fà", false},
        ToneCase{"qà", "qà", false}, ToneCase{"uyể", "uyể", false},
        ToneCase{"chuyển", "chuyển", false},
        ToneCase{"khuyến", "khuyến", false}));

TEST(IsSyllableShapeTest, Accepts) {
  for (const char* s :
       {"a", "chet", "khong", "nguoi", "nghieng", "quy", "gi", "gia", "truong",
        "khuyu", "oanh", "yeu", "lon", "ngo", "dit", "xoong"}) {
    EXPECT_TRUE(IsSyllableShape(s)) << s;
  }
}

TEST(IsSyllableShapeTest, Rejects) {
  for (const char* s : {"", "mpe", "covidie", "aever", "fack", "str", "q", "qa",
                        "bcd", "aaaa", "khongg", "x1", "ok"}) {
    EXPECT_FALSE(IsSyllableShape(s)) << s;
  }
}

TEST(SplitToneTest, RoundTrips) {
  for (char32_t c : std::u32string(U"aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩị"
                                   U"oòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ")) {
    const ToneSplit s = SplitTone(c);
    EXPECT_TRUE(IsVowel(s.letter));
    EXPECT_EQ(WithTone(s.letter, s.tone), c);
  }
  EXPECT_EQ(SplitTone(U'đ').letter, U'đ');
  EXPECT_EQ(WithTone(U'đ', Tone::kAcute), 0u);
  EXPECT_EQ(SplitTone(U'ấ').letter, U'â');
  EXPECT_EQ(SplitTone(U'ấ').tone, Tone::kAcute);
}

TEST(FoldLetterTest, Folds) {
  EXPECT_EQ(FoldLetter(U'ữ'), 'u');
  EXPECT_EQ(FoldLetter(U'đ'), 'd');
  EXPECT_EQ(FoldLetter(U'Đ'), 'd');
  EXPECT_EQ(FoldLetter(U'ặ'), 'a');
  EXPECT_EQ(FoldLetter(U'X'), 'x');
  EXPECT_EQ(FoldLetter(U'ñ'), 0);
  EXPECT_EQ(FoldLetter(U'1'), 0);
}

// underthesea's tone rules (Apache-2.0, ../shared) map new-style and
// misplaced tones to old style. Every rule whose two sides differ only in
// where the tone mark sits must agree with PlaceTone.
TEST(PlaceToneTest, AgreesWithUndertheseaRules) {
  std::optional<std::string> path = testing::SharedPath(
      "data/lexicon-sources/underthesea-tone-rules/tone_rules.json");
  if (!path) {
    VIGIL_SKIP_WITHOUT_SHARED(
        "../shared is absent: underthesea rules not checked");
  }
  std::ifstream in(*path);
  nlohmann::json rules = nlohmann::json::parse(in);
  int checked = 0, agreed = 0;
  std::vector<std::string> disagreements;
  for (const auto& [from, to] : rules["token"].items()) {
    // The normalizer lowercases before placing tones; so does this test.
    std::string from_lower, target;
    icu::UnicodeString::fromUTF8(from).toLower().toUTF8String(from_lower);
    icu::UnicodeString::fromUTF8(to.get<std::string>())
        .toLower()
        .toUTF8String(target);
    // Only rules that keep the letters and move the tone.
    std::u32string a = ToU32(from_lower), b = ToU32(target);
    if (a.size() != b.size()) continue;
    bool same_letters = true;
    for (size_t i = 0; i < a.size(); ++i) {
      same_letters &= SplitTone(a[i]).letter == SplitTone(b[i]).letter;
    }
    if (!same_letters) continue;
    ++checked;
    const std::string placed = Placed(from_lower);
    if (placed == target) {
      ++agreed;
    } else if (disagreements.size() < 20) {
      disagreements.push_back(from + " → " + target + " (vigil: " + placed +
                              ")");
    }
  }
  RecordProperty("checked", checked);
  RecordProperty("agreed", agreed);
  EXPECT_GT(checked, 1000);
  // Report the level of agreement; require near-total agreement.
  std::string sample;
  for (const std::string& d : disagreements) sample += "\n  " + d;
  EXPECT_GE(agreed, checked * 99 / 100)
      << agreed << " of " << checked
      << " agree; first disagreements:" << sample;
}

}  // namespace
}  // namespace vigil::normalize
