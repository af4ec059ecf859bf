// Table-driven tests of the normalizer: each case asserts the exact output.
#include "analyzers/normalize/normalizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::normalize {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

// A small table so these cases do not depend on the shipped one.
constexpr char kTeencode[] =
    "# test table\n"
    "ko\tkhông\n"
    "k\tkhông\tambiguous\tletter k\n"
    "đc\tđược\n"
    "dc\tđược\n"
    "ntn\tnhư thế nào\n"
    "vcl\tvãi cả lồn\t-\tvulgar\n"
    "ck\tchồng|chuyển khoản\tambiguous\n"
    "t2\tthứ hai\n"
    "j\tgì\n"
    "zui\tvui\n";

const Normalizer& TestNormalizer() {
  static const Normalizer* n = [] {
    auto table = TeencodeTable::Parse(kTeencode, "test");
    EXPECT_TRUE(table.ok()) << table.status();
    return new Normalizer(*std::move(table));
  }();
  return *n;
}

struct ViewCase {
  const char* name;
  std::string input;
  std::string canonical;
  std::string folded;  // empty: not checked
};

class CanonicalViewTest : public ::testing::TestWithParam<ViewCase> {};

TEST_P(CanonicalViewTest, ExactViews) {
  const ViewCase& c = GetParam();
  NormalizedText n = TestNormalizer().Normalize(c.input);
  EXPECT_EQ(n.canonical(), c.canonical) << c.input;
  if (!c.folded.empty()) {
    EXPECT_EQ(n.folded(), c.folded) << c.input;
  }
}

// NFD sequences: "\xCC\x80" grave, "\xCC\x81" acute, "\xCC\x82" circumflex,
// "\xCC\x83" tilde, "\xCC\x89" hook above, "\xCC\xA3" dot below,
// "\xCC\x9B" horn, "\xCC\x86" breve.
const ViewCase kViewCases[] = {
    // --- NFC / NFD / mixed ---------------------------------------------
    {"nfc_plain", "tiếng việt", "tiếng việt", "tieng viet"},
    {"nfd_acute", "tie\xCC\x82\xCC\x81ng", "tiếng", "tieng"},
    {"nfd_dot_then_circumflex", "vie\xCC\xA3\xCC\x82t", "việt", "viet"},
    {"nfd_horn_hook", "ngu\xCC\x9Bo\xCC\x9B\xCC\x80i", "người", "nguoi"},
    {"nfd_breve", "a\xCC\x86n", "ăn", "an"},
    {"nfd_tilde", "nga\xCC\x83", "ngã", "nga"},
    {"nfd_hook_above", "ca\xCC\x89", "cả", "ca"},
    {"mixed_nfc_nfd_one_word", "Vie\xCC\xA3\xCC\x82t Nam", "việt nam",
     "viet nam"},
    {"mixed_nfc_nfd_words", "tiếng vie\xCC\xA3\xCC\x82t", "tiếng việt", ""},
    {"nfd_capital", "A\xCC\x81O", "áo", "ao"},
    // --- tone placement: old style is canonical ------------------------
    {"tone_hoa_new", "hoà", "hòa", "hoa"},
    {"tone_hoa_old", "hòa", "hòa", "hoa"},
    {"tone_thuy_new", "thuỷ", "thủy", "thuy"},
    {"tone_khoe_new", "khoẻ", "khỏe", "khoe"},
    {"tone_toa_new", "toà", "tòa", ""},
    {"tone_loe_new", "loè", "lòe", ""},
    {"tone_tuy_new", "tuỳ", "tùy", ""},
    {"tone_closed_stays_last", "hoàng", "hoàng", ""},
    {"tone_closed_moved_to_last", "hòang", "hoàng", ""},
    {"tone_toan_closed", "tóan", "toán", ""},
    {"tone_quality_vowel_wins", "tìên", "tiền", ""},
    {"tone_uo_horn", "ngừơi", "người", ""},
    {"tone_qu_onset", "qúa", "quá", ""},
    {"tone_qu_uy", "qúy", "quý", ""},
    {"tone_gi_onset", "gìa", "già", ""},
    {"tone_gi_alone", "gì", "gì", ""},
    {"tone_three_vowels_middle", "ngoaì", "ngoài", ""},
    {"tone_khuyu", "khuyủ", "khuỷu", ""},
    {"tone_mua_first", "muà", "mùa", ""},
    {"tone_thuo", "thủơ", "thuở", ""},
    {"tone_foreign_untouched", "café", "café", "cafe"},
    {"tone_two_marks_untouched", "hoàá", "hoàá", ""},
    {"tone_same_mark_twice", "gìà", "già", ""},
    {"tone_uppercase_new_style", "HOÀ BÌNH", "hòa bình", "hoa binh"},
    // --- case -------------------------------------------------------------
    {"case_upper", "ĐỤ MÁ", "đụ má", "du ma"},
    {"case_title", "Thằng Ngu", "thằng ngu", ""},
    {"case_mixed", "nGưỜi", "người", ""},
    {"case_ascii", "HELLO World", "hello world", ""},
    {"case_d_stroke_upper", "ĐI", "đi", "di"},
    // --- zero-width and format characters --------------------------------
    {"zwsp_inside_word", "đ\xE2\x80\x8Bụ", "đụ", "du"},
    {"zwj_inside_word", "n\xE2\x80\x8Dg\xE2\x80\x8Du", "ngu", ""},
    {"zwnj_inside_word", "ch\xE2\x80\x8C\x65t", "chet", ""},
    {"soft_hyphen_inside_word", "l\xC2\xADon", "lon", ""},
    {"bom_at_start", "\xEF\xBB\xBFxin chào", "xin chào", ""},
    {"rlm_inside_word", "ng\xE2\x80\x8Fu", "ngu", ""},
    {"word_joiner", "đ\xE2\x81\xA0m", "đm", ""},
    {"zwsp_between_words_only", "a \xE2\x80\x8B b", "a b", ""},
    {"zwsp_at_word_end", "ngu\xE2\x80\x8B nhé", "ngu nhé", ""},
    {"hangul_filler_ignorable", "ng\xE3\x85\xA4u", "ngu", ""},
    // --- look-alike letters -------------------------------------------------
    {"cyrillic_o", "ng\xD0\xBE", "ngo", ""},
    {"cyrillic_word", "\xD1\x81\xD0\xBE", "co", ""},
    {"cyrillic_unmappable_letter_untouched", "\xD1\x81\xD0\xBE\xD0\xBD",
     "\xD1\x81\xD0\xBE\xD0\xBD", ""},
    {"cyrillic_a_e", "m\xD0\xB0y", "may", ""},
    {"cyrillic_upper", "\xD0\xA1\xD0\x9E", "co", ""},
    {"greek_omicron", "l\xCE\xBFn", "lon", ""},
    {"fullwidth_word", "\xEF\xBD\x84\xEF\xBD\x95", "du", "du"},
    {"fullwidth_upper", "\xEF\xBC\xA4\xEF\xBC\xB5", "du", ""},
    {"math_bold", "\xF0\x9D\x90\x9D\xF0\x9D\x90\xAE", "du", ""},
    {"cyrillic_with_combining_acute", "\xD0\xBE\xCC\x81", "ó", "o"},
    {"real_russian_untouched", "привет", "привет", "привет"},
    {"icelandic_eth", "ðụ", "đụ", "du"},
    {"icelandic_eth_upper", "Ðà", "đà", "da"},
    // --- repeated letters ---------------------------------------------------
    {"repeat_u", "nguuuuu", "ngu", ""},
    {"repeat_three", "ngooo", "ngo", ""},
    {"repeat_two_kept", "xoong", "xoong", ""},
    {"repeat_toned", "quáááá", "quá", ""},
    {"repeat_mixed_tone", "quáaaa", "quá", ""},
    {"repeat_consonant", "đmmmm", "đm", ""},
    {"repeat_upper", "NGUUUU", "ngu", ""},
    {"repeat_digits_kept", "1000000", "1000000", ""},
    // --- leetspeak -----------------------------------------------------------
    {"leet_3_inside", "ch3t", "chet", ""},
    {"leet_0_inside", "l0n", "lon", ""},
    {"leet_0_end_syllable", "ng0", "ngo", ""},
    {"leet_1_inside", "đ1t", "đit", ""},
    {"leet_at_inside", "f@ck", "fack", ""},
    {"leet_dollar_start", "$ex", "sex", ""},
    {"leet_4", "b4n", "ban", ""},
    {"leet_and_repeat", "ng00000", "ngo", ""},
    {"leet_not_mp3", "mp3", "mp3", ""},
    {"leet_not_covid19", "covid19", "covid19", ""},
    {"leet_not_4ever", "4ever", "4ever", ""},
    {"leet_not_number", "1000", "1000", ""},
    {"leet_not_price_k", "50k", "50k", ""},
    {"leet_not_price_dong", "100.000đ", "100.000đ", "100.000d"},
    {"leet_not_price_tr", "2tr5", "2tr5", ""},
    {"leet_not_phone", "0912.345.678", "0912.345.678", ""},
    {"leet_not_intl_phone", "+84912345678", "+84912345678", ""},
    {"leet_not_percent", "30%", "30%", ""},
    {"leet_not_dollar_price", "$100", "$100", ""},
    // --- teencode
    // -------------------------------------------------------------
    {"teencode_ko", "ko", "không", "khong"},
    {"teencode_dc", "dc", "được", "duoc"},
    {"teencode_upper", "KO", "không", ""},
    {"teencode_repeated", "kooo", "không", ""},
    {"teencode_multi_syllable", "ntn", "như thế nào", "nhu the nao"},
    {"teencode_vulgar", "vcl", "vãi cả lồn", "vai ca lon"},
    {"teencode_ambiguous_kept", "ck", "ck", "ck"},
    // Single letters split by one kind of separator are joined when they
    // spell a syllable: "c.h.ó" is "chó"; "đ.m" (no syllable) stays for the
    // matcher, and so do runs that are not syllables as a whole.
    {"letters_joined_dots", "óc c.h.ó", "óc chó", "oc cho"},
    {"letters_joined_dashes", "N-G-U", "ngu", "ngu"},
    {"letters_joined_spaces", "t ô i đi", "tôi đi", "toi di"},
    {"letters_two_spaced_not_joined", "b a", "b a", ""},
    {"letters_not_a_syllable", "đ.m", "đ . m", ""},
    {"letters_run_not_a_syllable", "u.s.a", "u . s . a", ""},
    {"letters_mixed_separators", "c.h-ó", "c . h - ó", ""},
    {"letters_initial_and_name", "V. Anh", "v . anh", ""},
    // A word glued to a star is part of a masked word, spelled as written
    // (the matcher reads the mask): "ko*" is not "không".
    {"teencode_not_in_masked_word", "ko* ko", "ko * không", "ko * khong"},
    {"teencode_not_after_star", "*ko", "* ko", ""},
    {"teencode_ambiguous_k_kept", "k", "k", ""},
    {"teencode_with_digit", "t2", "thứ hai", ""},
    {"teencode_in_sentence", "ko bt j", "không bt gì", ""},
    {"teencode_zero_width", "k\xE2\x80\x8Bo", "không", ""},
    {"teencode_not_inside_word", "kok", "kok", ""},
    // --- token kinds as text ------------------------------------------------
    {"url_kept_lowercased", "Xem https://Example.com/A?b=1 nhé",
     "xem https://example.com/a?b=1 nhé", ""},
    {"url_trailing_dot", "vào www.abc.vn.", "vào www.abc.vn .", ""},
    {"url_bare_domain", "zalo.me/0912345678", "zalo.me/0912345678", ""},
    {"mention", "@Ban_Toi ơi", "@ban_toi ơi", ""},
    {"hashtag_vietnamese", "#ThờiSự", "#thờisự", "#thoisu"},
    {"email_kept_whole", "Abc.Xyz@Gmail.com", "abc.xyz@gmail.com", ""},
    {"number_glued_to_word", "0912-4ever", "0912 - 4ever", ""},
    {"emoji_kept", "vui 😂😂", "vui 😂 😂", ""},
    {"emoticon_punct", "hay :))", "hay :))", ""},
    {"punct_split", "ngu,dốt!", "ngu , dốt !", ""},
    {"separators_not_joined", "đ.m", "đ . m", "d . m"},
    // --- invalid UTF-8, empty, odd input ----------------------------------
    {"empty", "", "", ""},
    {"spaces_only", "   \t  ", "", ""},
    {"invalid_byte",
     "a\xFF"
     "b",
     "a � b", ""},
    {"truncated_sequence", "ng\xE1\xBB", "ng �", ""},
    {"lone_surrogate", "x\xED\xA0\x80y", "x � � � y", ""},
    {"nul_byte_separates", std::string("ng\0u", 4), "ng u", ""},
    {"control_chars",
     "a\x01\x02"
     "b",
     "a b", ""},
    {"overlong_encoding", "\xC0\xAF", "� �", ""},
    // Found by fuzzing: each must split the same way in context and alone.
    {"mention_after_digit", "5@abc", "5 @abc", ""},
    {"mention_after_underscore_word", "_@abc", "_ @abc", ""},
    {"hashtag_after_word", "a#_", "a #_", ""},
    {"www_alone_is_not_url", "www.", "w .", ""},
    {"lone_mark_keeps_folded", "a \xCC\x81 b", "a \xCC\x81 b", "a \xCC\x81 b"},
};

INSTANTIATE_TEST_SUITE_P(Cases, CanonicalViewTest,
                         ::testing::ValuesIn(kViewCases),
                         [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------------------
// Token kinds.

struct KindCase {
  const char* name;
  std::string input;
  std::vector<TokenKind> kinds;
};

class TokenKindTest : public ::testing::TestWithParam<KindCase> {};

TEST_P(TokenKindTest, Kinds) {
  const KindCase& c = GetParam();
  NormalizedText n = TestNormalizer().Normalize(c.input);
  std::vector<TokenKind> kinds;
  for (const Token& t : n.tokens()) kinds.push_back(t.kind);
  std::vector<std::string_view> names, expected;
  for (TokenKind k : kinds) names.push_back(TokenKindName(k));
  for (TokenKind k : c.kinds) expected.push_back(TokenKindName(k));
  EXPECT_THAT(names, ElementsAreArray(expected)) << c.input;
}

using K = TokenKind;
const KindCase kKindCases[] = {
    {"words", "xin chào", {K::kWord, K::kWord}},
    {"url_https", "https://a.com/x", {K::kUrl}},
    {"url_www", "www.abc.vn", {K::kUrl}},
    {"url_telegram", "t.me/abc", {K::kUrl}},
    {"email", "a.b@x.vn", {K::kEmail}},
    {"email_needs_tld", "a@b", {K::kWord}},
    {"not_url_unknown_tld", "abc.xyzw", {K::kWord, K::kPunct, K::kWord}},
    {"mention", "@minh", {K::kMention}},
    {"hashtag", "#tag", {K::kHashtag}},
    {"lone_at", "@ ", {K::kPunct}},
    {"lone_hash", "#", {K::kPunct}},
    {"emoji_single", "😂", {K::kEmoji}},
    {"emoji_skin_tone", "👍🏽", {K::kEmoji}},
    {"emoji_zwj_family", "👨‍👩‍👧", {K::kEmoji}},
    {"emoji_flag", "🇻🇳", {K::kEmoji}},
    {"emoji_two_flags", "🇻🇳🇺🇸", {K::kEmoji, K::kEmoji}},
    {"emoji_keycap", "1️⃣", {K::kEmoji}},
    {"emoji_vs16_heart", "❤️", {K::kEmoji}},
    {"emoji_glued_to_word", "vui😂", {K::kWord, K::kEmoji}},
    {"number_plain", "2026", {K::kNumber}},
    {"number_price_dot", "100.000đ", {K::kNumber}},
    {"number_price_k", "50k", {K::kNumber}},
    {"number_phone_dots", "0912.345.678", {K::kNumber}},
    {"number_phone_intl", "+84912345678", {K::kNumber}},
    {"number_decimal_comma", "1,5tr", {K::kNumber}},
    {"number_time", "20:30", {K::kNumber}},
    {"number_date", "26/11/2026", {K::kNumber}},
    {"number_percent", "30%", {K::kNumber}},
    {"number_currency_prefix", "$100", {K::kNumber}},
    {"number_then_word", "3 con", {K::kNumber, K::kWord}},
    {"word_with_digits", "covid19", {K::kWord}},
    {"punct_run", "!!!", {K::kPunct}},
    {"punct_emoticon", ":))", {K::kPunct}},
    {"punct_then_mention", "(@abc)", {K::kPunct, K::kMention, K::kPunct}},
    {"replacement_char", "\xFF", {K::kPunct}},
    {"teencode_parts", "ntn", {K::kWord, K::kWord, K::kWord}},
    {"mixed_post",
     "Ê @an xem https://x.vn 😂 50k!",
     {K::kWord, K::kMention, K::kWord, K::kUrl, K::kEmoji, K::kNumber,
      K::kPunct}},
};

INSTANTIATE_TEST_SUITE_P(Cases, TokenKindTest, ::testing::ValuesIn(kKindCases),
                         [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------------------
// Steps recorded per token.

struct StepCase {
  const char* name;
  std::string input;
  std::vector<std::string_view> steps;  // of the first token
};

class StepTest : public ::testing::TestWithParam<StepCase> {};

TEST_P(StepTest, FirstTokenSteps) {
  const StepCase& c = GetParam();
  NormalizedText n = TestNormalizer().Normalize(c.input);
  ASSERT_FALSE(n.tokens().empty());
  EXPECT_THAT(StepNames(n.tokens()[0].steps), ElementsAreArray(c.steps))
      << c.input;
}

const StepCase kStepCases[] = {
    {"none", "ngu", {}},
    {"nfc", "tie\xCC\x82\xCC\x81ng", {"nfc"}},
    {"casefold", "Ngu", {"casefold"}},
    {"format", "n\xE2\x80\x8Bgu", {"format_removed"}},
    {"confusable", "ng\xD0\xBE", {"confusable"}},
    {"repeat", "nguuuu", {"repeated_letters"}},
    {"leet", "ch3t", {"leetspeak"}},
    {"tone", "hoà", {"tone_placement"}},
    {"teencode", "ko", {"teencode"}},
    {"eth", "ðụ", {"eth"}},
    {"invalid", "\xFF", {"invalid_utf8"}},
    {"combined",
     "K\xE2\x80\x8BOOO",
     {"format_removed", "casefold", "repeated_letters", "teencode"}},
    {"leet_and_case", "CH3T", {"casefold", "leetspeak"}},
    {"ambiguous_teencode_not_marked", "ck", {}},
};

INSTANTIATE_TEST_SUITE_P(Cases, StepTest, ::testing::ValuesIn(kStepCases),
                         [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------------------
// Offsets into the original post.

struct Span {
  std::string text;
  uint32_t begin, end, begin_char, end_char;
  bool operator==(const Span&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Span& s) {
  return os << "{" << s.text << " [" << s.begin << "," << s.end << ") chars ["
            << s.begin_char << "," << s.end_char << ")}";
}

std::vector<Span> Spans(std::string_view input) {
  NormalizedText n = TestNormalizer().Normalize(input);
  std::vector<Span> spans;
  for (const Token& t : n.tokens()) {
    spans.push_back(
        {std::string(n.text(t)), t.begin, t.end, t.begin_char, t.end_char});
  }
  return spans;
}

TEST(OffsetTest, AsciiWords) {
  EXPECT_THAT(Spans("ab  cde"),
              ElementsAre(Span{"ab", 0, 2, 0, 2}, Span{"cde", 4, 7, 4, 7}));
}

TEST(OffsetTest, MultibyteLetters) {
  // "đụ" is 2 code points in 5 bytes.
  EXPECT_THAT(Spans("đụ má"),
              ElementsAre(Span{"đụ", 0, 5, 0, 2}, Span{"má", 6, 9, 3, 5}));
}

TEST(OffsetTest, NfdSpanCoversCombiningMarks) {
  EXPECT_THAT(Spans("x tie\xCC\x82\xCC\x81ng"),
              ElementsAre(Span{"x", 0, 1, 0, 1}, Span{"tiếng", 2, 11, 2, 9}));
}

TEST(OffsetTest, ZeroWidthInsideIsCoveredEdgesAreNot) {
  EXPECT_THAT(Spans("\xE2\x80\x8B"
                    "đ\xE2\x80\x8Bụ\xE2\x80\x8B"),
              ElementsAre(Span{"đụ", 3, 11, 1, 4}));
}

TEST(OffsetTest, TeencodeExpansionSharesSpan) {
  EXPECT_THAT(Spans("à ntn"),
              ElementsAre(Span{"à", 0, 2, 0, 1}, Span{"như", 3, 6, 2, 5},
                          Span{"thế", 3, 6, 2, 5}, Span{"nào", 3, 6, 2, 5}));
  NormalizedText n = TestNormalizer().Normalize("à ntn");
  EXPECT_EQ(n.tokens()[1].part, 0);
  EXPECT_EQ(n.tokens()[3].part, 2);
  EXPECT_EQ(n.tokens()[3].parts, 3);
}

TEST(OffsetTest, InvalidBytesCountAsOneCodePointEach) {
  EXPECT_THAT(Spans("\xFF\xFE"
                    "ab"),
              ElementsAre(Span{"�", 0, 1, 0, 1}, Span{"�", 1, 2, 1, 2},
                          Span{"ab", 2, 4, 2, 4}));
}

TEST(OffsetTest, CanonicalOffsetsPointIntoViews) {
  NormalizedText n = TestNormalizer().Normalize("Ko ĐỤ");
  ASSERT_EQ(n.tokens().size(), 2u);
  const Token& t = n.tokens()[1];
  EXPECT_EQ(n.canonical().substr(t.canonical_begin,
                                 t.canonical_end - t.canonical_begin),
            "đụ");
  EXPECT_EQ(n.folded().substr(t.folded_begin, t.folded_end - t.folded_begin),
            "du");
}

// ---------------------------------------------------------------------------
// Unaccented posts.

struct AccentCase {
  const char* name;
  std::string input;
  bool unaccented;
};

class UnaccentedTest : public ::testing::TestWithParam<AccentCase> {};

TEST_P(UnaccentedTest, Detects) {
  const AccentCase& c = GetParam();
  EXPECT_EQ(TestNormalizer().Normalize(c.input).unaccented(), c.unaccented)
      << c.input;
}

const AccentCase kAccentCases[] = {
    {"accented", "du lịch Đà Lạt vui quá", false},
    {"unaccented", "du lich da lat vui qua", true},
    {"unaccented_one_word", "du", true},
    {"accented_one_word", "đụ", false},
    {"empty", "", false},
    {"only_emoji_and_numbers", "😂 100k", false},
    {"stray_accent_in_long_post",
     "hom nay troi dep qua minh di choi voi ban be o ho tay roi an kem "
     "trang tien xong ve nha ngu mot giac toi moi day an com cung gia dinh "
     "vui that la vui cafe",
     true},
    {"nfd_accented", "tie\xCC\x82\xCC\x81ng vie\xCC\xA3\xCC\x82t", false},
    {"teencode_unaccented", "ko dc dau", true},
    {"mostly_accented", "người ta nói vậy thì chắc dung", false},
};

INSTANTIATE_TEST_SUITE_P(Cases, UnaccentedTest,
                         ::testing::ValuesIn(kAccentCases),
                         [](const auto& info) { return info.param.name; });

TEST(UnaccentedTest, CountsWords) {
  NormalizedText n = TestNormalizer().Normalize("Tôi đi du lich 😂 abc.com");
  EXPECT_EQ(n.words(), 4u);
  EXPECT_EQ(n.accented_words(), 2u);
}

// ---------------------------------------------------------------------------
// Invalid UTF-8 accounting, ambiguity and long input.

TEST(NormalizerTest, CountsInvalidSequences) {
  EXPECT_EQ(TestNormalizer().Normalize("ok").invalid_utf8(), 0u);
  EXPECT_EQ(TestNormalizer().Normalize("a\xFF\xFE b\xE1\xBB").invalid_utf8(),
            3u);
}

TEST(NormalizerTest, AmbiguousTeencodeKeepsCandidates) {
  NormalizedText n = TestNormalizer().Normalize("ck tiền");
  ASSERT_EQ(n.tokens().size(), 2u);
  const Token& t = n.tokens()[0];
  ASSERT_GE(t.ambiguous_teencode, 0);
  EXPECT_THAT(
      TestNormalizer().teencode().entry(t.ambiguous_teencode).expansions,
      ElementsAre("chồng", "chuyển khoản"));
  EXPECT_EQ(n.tokens()[1].ambiguous_teencode, -1);
}

TEST(NormalizerTest, AccentedFlagPerToken) {
  NormalizedText n = TestNormalizer().Normalize("du đụ DU ĐỤ");
  ASSERT_EQ(n.tokens().size(), 4u);
  EXPECT_FALSE(n.tokens()[0].accented);
  EXPECT_TRUE(n.tokens()[1].accented);
  EXPECT_FALSE(n.tokens()[2].accented);
  EXPECT_TRUE(n.tokens()[3].accented);
}

TEST(NormalizerTest, VeryLongPostIsLinearAndExact) {
  std::string post;
  for (int i = 0; i < 100000; ++i) post += "Người ta hoà ĐC ";  // ~1.9 MB
  NormalizedText n = TestNormalizer().Normalize(post);
  ASSERT_EQ(n.tokens().size(), 400000u);
  EXPECT_EQ(n.text(n.tokens()[2]), "hòa");
  EXPECT_EQ(n.text(n.tokens()[399999]), "được");
  EXPECT_EQ(n.tokens()[399999].end, post.size() - 1);
}

TEST(NormalizerTest, VeryLongSingleWord) {
  std::string post(1 << 20, 'a');  // 1 MiB of one letter
  NormalizedText n = TestNormalizer().Normalize(post);
  ASSERT_EQ(n.tokens().size(), 1u);
  EXPECT_EQ(n.canonical(), "a");
  EXPECT_EQ(n.tokens()[0].end, post.size());
}

TEST(NormalizerTest, ZalgoTextDoesNotBreakTokens) {
  std::string zalgo = "n";
  for (int i = 0; i < 200; ++i) zalgo += "\xCC\x81\xCC\x80";
  zalgo += "gu";
  NormalizedText n = TestNormalizer().Normalize(zalgo);
  ASSERT_EQ(n.tokens().size(), 1u);
  EXPECT_EQ(n.tokens()[0].end, zalgo.size());
  EXPECT_EQ(n.folded(), "ngu");
}

TEST(NormalizerTest, CreateReportsBadTeencodeFile) {
  auto n = Normalizer::Create({.teencode_path = "/nonexistent/teencode.tsv"});
  EXPECT_FALSE(n.ok());
  EXPECT_THAT(std::string(n.status().message()),
              ::testing::HasSubstr("/nonexistent/teencode.tsv"));
}

}  // namespace
}  // namespace vigil::normalize
