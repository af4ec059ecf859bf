#include "analyzers/normalize/char_class.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>

#include <map>
#include <string>
#include <vector>

#include "analyzers/normalize/vietnamese.h"

namespace vigil::normalize {
namespace {

// Letters in these ranges are ordinary Latin letters, never look-alikes.
bool InLatinRanges(char32_t c) {
  return c < 0x250 || (c >= 0x1E00 && c <= 0x1EFF);
}

// Maps a confusable skeleton to the ASCII lowercase letter it stands for.
// Built from the skeletons of 'a'..'z' and 'A'..'Z' themselves, so it
// follows whatever ICU's confusable data says ("l" for l, I and 1).
class LookalikeMapper {
 public:
  LookalikeMapper() {
    UErrorCode status = U_ZERO_ERROR;
    checker_ = uspoof_open(&status);
    if (U_FAILURE(status)) {
      checker_ = nullptr;
      return;
    }
    for (char c = 'a'; c <= 'z'; ++c)
      skeleton_to_letter_.emplace(Skeleton(c), c);
    for (char c = 'A'; c <= 'Z'; ++c) {
      skeleton_to_letter_.emplace(Skeleton(c),
                                  static_cast<char>(c - 'A' + 'a'));
    }
  }
  ~LookalikeMapper() {
    if (checker_ != nullptr) uspoof_close(checker_);
  }

  // The ASCII letter `c` imitates, or 0. Compatibility forms (fullwidth,
  // mathematical alphanumerics) come from NFKC_Casefold, the rest from the
  // confusable skeletons.
  char32_t Map(char32_t c) const {
    if (checker_ == nullptr || c < 0x80) return 0;
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfkc_cf =
        icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_SUCCESS(status)) {
      icu::UnicodeString k = nfkc_cf->normalize(
          icu::UnicodeString(static_cast<UChar32>(c)), status);
      if (U_SUCCESS(status) && k.length() == 1 && k[0] >= 'a' && k[0] <= 'z') {
        return k[0];
      }
    }
    auto it = skeleton_to_letter_.find(Skeleton(c));
    return it == skeleton_to_letter_.end() ? 0 : it->second;
  }

 private:
  std::string Skeleton(char32_t c) const {
    UChar buf[4];
    int32_t len = 0;
    UBool error = false;
    U16_APPEND(buf, len, 4, c, error);
    UChar out[32];
    UErrorCode status = U_ZERO_ERROR;
    int32_t n = uspoof_getSkeleton(checker_, 0, buf, len, out, 32, &status);
    if (U_FAILURE(status) || error) return std::string();
    std::string utf8;
    icu::UnicodeString(out, n).toUTF8String(utf8);
    return utf8;
  }

  USpoofChecker* checker_ = nullptr;
  std::map<std::string, char> skeleton_to_letter_;
};

const LookalikeMapper& Lookalikes() {
  static const LookalikeMapper* mapper = new LookalikeMapper();
  return *mapper;
}

CharClass ClassOf(char32_t c) {
  if (c == 0xFFFD) return CharClass::kPunct;
  if (u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) ||
      (c >= 0x1F1E6 && c <= 0x1F1FF) ||  // regional indicators (flags)
      (c >= 0x1F3FB && c <= 0x1F3FF)) {  // skin-tone modifiers
    return CharClass::kEmoji;
  }
  const int8_t type = u_charType(c);
  if (type == U_CONTROL_CHAR || type == U_SPACE_SEPARATOR ||
      type == U_LINE_SEPARATOR || type == U_PARAGRAPH_SEPARATOR ||
      u_isUWhiteSpace(c)) {
    return CharClass::kSpace;
  }
  if (type == U_FORMAT_CHAR ||
      u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) {
    return CharClass::kFormat;
  }
  switch (type) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
      return CharClass::kLetter;
    case U_NON_SPACING_MARK:
    case U_COMBINING_SPACING_MARK:
    case U_ENCLOSING_MARK:
      return CharClass::kMark;
    case U_DECIMAL_DIGIT_NUMBER:
      return CharClass::kDigit;
    default:
      return CharClass::kPunct;
  }
}

char AsciiBase(char32_t folded) {
  if (char f = FoldLetter(folded); f != 0) return f;
  if (!InLatinRanges(folded)) return 0;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status)) return 0;
  icu::UnicodeString d =
      nfd->normalize(icu::UnicodeString(static_cast<UChar32>(folded)), status);
  if (U_FAILURE(status) || d.isEmpty()) return 0;
  UChar32 base = d.char32At(0);
  if (base >= 'a' && base <= 'z') return static_cast<char>(base);
  return 0;
}

}  // namespace

CharProps ComputeCharProps(char32_t c) {
  CharProps p;
  p.cls = ClassOf(c);
  p.folded = c;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_SUCCESS(status)) {
    p.nfc_unsafe =
        !nfc->hasBoundaryBefore(c) ||
        !nfc->isNormalized(icu::UnicodeString(static_cast<UChar32>(c)), status);
  }
  if (p.cls != CharClass::kLetter) return p;
  char32_t f = u_foldCase(c, U_FOLD_CASE_DEFAULT);
  p.upper = f != c;
  if (f == U'ð') {
    f = U'đ';
    p.eth = true;
  }
  p.folded = f;
  p.latin = InLatinRanges(f);
  if (!p.latin) {
    p.lookalike = Lookalikes().Map(f);
    p.confusable = p.lookalike != 0;
  }
  p.ascii_base = AsciiBase(f);
  const ToneSplit split = SplitTone(f);
  p.toneless = split.letter;
  p.tone = static_cast<uint8_t>(split.tone);
  p.vowel = IsVowel(split.letter);
  return p;
}

const CharProps& CachedCharProps(char32_t c) {
  // Direct-mapped: one slot per hash bucket, overwritten on collision.
  struct Slot {
    char32_t c = 0;  // 0 never reaches here (it is in the table)
    CharProps props;
  };
  constexpr size_t kSlots = 1024;
  thread_local std::vector<Slot> cache(kSlots);
  Slot& slot = cache[(c * 0x9E3779B1u) >> 22];
  if (slot.c != c) {
    slot.c = c;
    slot.props = ComputeCharProps(c);
  }
  return slot.props;
}

const CharProps* CharTable() {
  static const std::vector<CharProps>* table = [] {
    auto* t = new std::vector<CharProps>(kTableLimit);
    for (char32_t c = 0; c < kTableLimit; ++c) (*t)[c] = ComputeCharProps(c);
    return t;
  }();
  return table->data();
}

}  // namespace vigil::normalize
