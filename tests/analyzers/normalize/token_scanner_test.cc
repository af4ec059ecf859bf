// Each token scanner on its own: where a token of its kind starting at a
// given code point ends (or that none starts there).
#include "analyzers/normalize/token_scanner.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "analyzers/normalize/code_points.h"

namespace vigil::normalize {
namespace {

enum class Kind { kEmail, kUrl, kMention, kHashtag, kEmoji, kNumber, kWord };

struct Case {
  const char* name;
  Kind kind;
  std::u32string text;  // code points, so expected ends are easy to read
  size_t start;
  size_t end;  // == start: no token of this kind starts there
};

std::string Utf8(const std::u32string& s) {
  std::string out;
  for (char32_t c : s) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

const Case kCases[] = {
    {"email", Kind::kEmail, U"gửi a.b@shop.vn nhé", 4, 15},
    {"email_unknown_tld", Kind::kEmail, U"a@b.zzz", 0, 0},
    {"email_inside_word", Kind::kEmail, U"xa@b.vn", 1, 1},
    {"url_scheme", Kind::kUrl, U"vào https://x.y/z?a=1 đi", 4, 21},
    {"url_bare_domain", Kind::kUrl, U"xem bit.ly/abc nhé", 4, 14},
    {"url_trailing_punctuation", Kind::kUrl, U"vào shopee.vn.", 4, 13},
    {"url_glued_letters", Kind::kUrl, U"abc.comx", 0, 0},
    {"url_www_alone", Kind::kUrl, U"www.", 0, 0},
    {"mention", Kind::kMention, U"@nam.le ơi", 0, 7},
    {"mention_sign_alone", Kind::kMention, U"@ ơi", 0, 0},
    {"hashtag", Kind::kHashtag, U"#vietnam2024 !", 0, 12},
    {"hashtag_no_dots", Kind::kHashtag, U"#a.b", 0, 2},
    {"emoji_skin_tone", Kind::kEmoji, U"\U0001F44D\U0001F3FD ok", 0, 2},
    {"emoji_zwj_family", Kind::kEmoji,
     U"\U0001F468\u200D\U0001F469\u200D\U0001F467", 0, 5},
    {"emoji_flag", Kind::kEmoji, U"\U0001F1FB\U0001F1F3", 0, 2},
    {"emoji_keycap", Kind::kEmoji, U"1\uFE0F\u20E3", 0, 3},
    {"emoji_plain_digit", Kind::kEmoji, U"1 ", 0, 0},
    {"number_thousands_unit", Kind::kNumber, U"giá 1.000.000đ", 4, 14},
    {"number_unit_digits", Kind::kNumber, U"2tr5 thôi", 0, 4},
    {"number_percent", Kind::kNumber, U"50% off", 0, 3},
    {"number_currency", Kind::kNumber, U"$20", 0, 3},
    {"number_then_letters", Kind::kNumber, U"4ever", 0, 0},
    {"number_glued_group", Kind::kNumber, U"0912-4ever", 0, 4},
    {"word_vietnamese", Kind::kWord, U"chào bạn", 0, 4},
    {"word_combining_marks", Kind::kWord, U"cha\u0300o", 0, 5},
    {"word_leet_inside", Kind::kWord, U"f@ck!", 0, 4},
    {"word_zero_width_inside", Kind::kWord, U"ng\u200Bu", 0, 4},
    {"word_zero_width_at_end", Kind::kWord, U"ngu\u200B ", 0, 3},
    {"word_digits", Kind::kWord, U"covid19", 0, 7},
    {"word_not_on_punctuation", Kind::kWord, U"...", 0, 0},
};

TEST(TokenScannerTest, EachKindEndsWhereExpected) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    CodePointBuffer buffer;
    uint32_t invalid = 0;
    const std::string post = Utf8(c.text);
    const CodePoints cps = DecodeUtf8(post, buffer, &invalid);
    ASSERT_EQ(cps.Size(), c.text.size());
    TokenScanner scan(cps);
    scan.StartChunk(c.start);
    size_t end = 0;
    switch (c.kind) {
      case Kind::kEmail:
        end = scan.EmailEnd(c.start);
        break;
      case Kind::kUrl:
        end = scan.UrlEnd(c.start);
        break;
      case Kind::kMention:
        end = scan.PrefixedEnd(c.start, U'@');
        break;
      case Kind::kHashtag:
        end = scan.PrefixedEnd(c.start, U'#');
        break;
      case Kind::kEmoji:
        end = scan.EmojiEnd(c.start);
        break;
      case Kind::kNumber:
        end = scan.NumberEnd(c.start);
        break;
      case Kind::kWord:
        end = scan.WordEnd(c.start);
        break;
    }
    EXPECT_EQ(end, c.end);
  }
}

TEST(TokenScannerTest, PunctuationStopsWhereAnotherTokenStarts) {
  CodePointBuffer buffer;
  uint32_t invalid = 0;
  const CodePoints cps = DecodeUtf8("?!#tag", buffer, &invalid);
  TokenScanner scan(cps);
  EXPECT_EQ(scan.PunctEnd(0), 2u);
  EXPECT_EQ(scan.PunctEnd(5), 6u);  // always at least one code point
}

TEST(TokenScannerTest, ChunkSaysWhetherALinkCanBeInIt) {
  CodePointBuffer buffer;
  uint32_t invalid = 0;
  const CodePoints cps = DecodeUtf8("xin chào a.b", buffer, &invalid);
  TokenScanner scan(cps);
  scan.StartChunk(0);
  EXPECT_EQ(scan.chunk_end(), 3u);
  EXPECT_FALSE(scan.chunk_may_link());
  scan.StartChunk(9);
  EXPECT_EQ(scan.chunk_end(), 12u);
  EXPECT_TRUE(scan.chunk_may_link());
}

TEST(CodePointsTest, KeepsByteOffsetsAndReplacesInvalidUtf8) {
  CodePointBuffer buffer;
  uint32_t invalid = 0;
  const CodePoints cps = DecodeUtf8("chào b\xFFn", buffer, &invalid);
  ASSERT_EQ(cps.Size(), 8u);
  EXPECT_EQ(cps.Byte(4), 5u);  // the space after the 2-byte 'à'
  EXPECT_EQ(cps.Cp(6), U'\uFFFD');
  EXPECT_EQ(invalid, 1u);
  EXPECT_EQ(cps.Cls(cps.Size()), CharClass::kSpace);  // the end sentinel
  EXPECT_EQ(cps.Byte(cps.Size()), 9u);
}

}  // namespace
}  // namespace vigil::normalize
