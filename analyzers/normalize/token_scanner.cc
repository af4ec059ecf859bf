#include "analyzers/normalize/token_scanner.h"

#include <string>
#include <string_view>

namespace vigil::normalize {
namespace {

// Units that may follow a number and stay part of it ("50k", "2tr", "100đ").
bool IsNumberUnit(std::u32string_view unit) {
  static constexpr std::u32string_view kUnits[] = {
      U"k",  U"tr", U"t",   U"đ",   U"d",   U"vnd", U"vnđ", U"usd", U"m",
      U"km", U"cm", U"mm",  U"kg",  U"g",   U"mg",  U"l",   U"ml",  U"gb",
      U"mb", U"kb", U"tb",  U"h",   U"p",   U"s",   U"ph",  U"x",   U"tỷ",
      U"ty", U"củ", U"lít", U"giờ", U"am",  U"pm",  U"th",  U"st",  U"nd",
      U"rd", U"ms", U"hz",  U"ghz", U"mhz", U"w",   U"kw",  U"v"};
  for (std::u32string_view u : kUnits) {
    if (unit == u) return true;
  }
  return false;
}

bool IsCurrencySign(char32_t c) {
  return c == U'$' || c == U'€' || c == U'£' || c == U'¥' || c == U'₫';
}

bool IsAsciiAlnum(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

char32_t AsciiLower(char32_t c) {
  return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

// Top-level domains that make "name.tld" a URL without a scheme.
bool IsKnownTld(std::u32string_view tld) {
  static constexpr std::u32string_view kTlds[] = {
      U"com",  U"net", U"org",   U"vn",   U"me",     U"ly",   U"io",   U"co",
      U"info", U"xyz", U"top",   U"site", U"online", U"shop", U"club", U"app",
      U"link", U"biz", U"cc",    U"tk",   U"gl",     U"gg",   U"tv",   U"asia",
      U"edu",  U"gov", U"store", U"live", U"pro",    U"fun",  U"vip",  U"win",
      U"bet",  U"ru",  U"cn",    U"us",   U"uk"};
  for (std::u32string_view t : kTlds) {
    if (tld == t) return true;
  }
  return false;
}

}  // namespace

void TokenScanner::StartChunk(size_t i) {
  chunk_may_link_ = false;
  size_t j = i;
  while (j < cps_.Size() && cps_.Cls(j) != CharClass::kSpace) {
    const char32_t c = cps_.Cp(j);
    chunk_may_link_ |= c == U'.' || c == U'@' || c == U':';
    ++j;
  }
  chunk_end_ = j;
}

size_t TokenScanner::DomainEnd(size_t i) const {
  // Every later start inside a run that failed fails the same way (same
  // end, same last dot): remembering it keeps the scan linear.
  if (i > domain_fail_start_ && i < domain_fail_end_) return i;
  size_t k = DomainScan(i);
  if (k == i) {
    domain_fail_start_ = i;
    size_t end = i;
    while (end < cps_.Size() &&
           (IsAsciiAlnum(cps_.Cp(end)) || cps_.Cp(end) == U'-' ||
            cps_.Cp(end) == U'.')) {
      ++end;
    }
    domain_fail_end_ = end;
  }
  return k;
}

size_t TokenScanner::DomainScan(size_t i) const {
  size_t k = i;
  size_t last_dot = 0;
  while (k < cps_.Size() &&
         (IsAsciiAlnum(cps_.Cp(k)) || cps_.Cp(k) == U'-' ||
          (cps_.Cp(k) == U'.' && k > i && k + 1 < cps_.Size() &&
           IsAsciiAlnum(cps_.Cp(k + 1))))) {
    if (cps_.Cp(k) == U'.') last_dot = k;
    ++k;
  }
  if (last_dot == 0) return i;
  std::u32string tld;
  for (size_t t = last_dot + 1; t < k; ++t)
    tld.push_back(AsciiLower(cps_.Cp(t)));
  if (!IsKnownTld(tld)) return i;
  if (k < cps_.Size() &&
      (cps_.Cls(k) == CharClass::kLetter || cps_.Cls(k) == CharClass::kMark ||
       cps_.Cls(k) == CharClass::kDigit)) {
    return i;  // "abc.comx", "abc.vnđ": glued to more letters
  }
  return k;
}

// E-mail: ASCII local part '@' domain with a known tld.
size_t TokenScanner::EmailEnd(size_t i) const {
  if (!IsAsciiAlnum(cps_.Cp(i)) || (i > 0 && cps_.IsWordChar(i - 1))) return i;
  // A later start inside a local part that failed reaches the same '@'
  // (or none) and fails the same way.
  if (i < email_fail_end_) return i;
  size_t j = i;
  while (j < cps_.Size() &&
         (IsAsciiAlnum(cps_.Cp(j)) || cps_.Cp(j) == U'.' ||
          cps_.Cp(j) == U'_' || cps_.Cp(j) == U'-' || cps_.Cp(j) == U'+')) {
    ++j;
  }
  size_t end = i;
  if (j > i && j + 1 < cps_.Size() && cps_.Cp(j) == U'@' &&
      cps_.Cp(j - 1) != U'.') {
    const size_t domain = DomainEnd(j + 1);
    if (domain > j + 1) end = domain;
  }
  if (end == i) email_fail_end_ = j;
  return end;
}

// URL: "http://", "https://" or "www." up to white space, or an ASCII
// "name.tld[/path]" with a known tld. Trailing punctuation is not part of it.
size_t TokenScanner::UrlEnd(size_t i) const {
  if (!IsAsciiAlnum(cps_.Cp(i))) return i;
  if (i > 0 && cps_.IsWordChar(i - 1)) return i;
  size_t j = chunk_end_;  // the next white space
  auto starts_with = [&](std::u32string_view prefix) {
    if (j - i < prefix.size()) return false;
    for (size_t k = 0; k < prefix.size(); ++k) {
      if (AsciiLower(cps_.Cp(i + k)) != prefix[k]) return false;
    }
    return true;
  };
  size_t prefix = 0;
  for (std::u32string_view p : {U"http://", U"https://", U"www."}) {
    if (starts_with(p)) prefix = p.size();
  }
  const bool url = prefix > 0;
  if (!url) {
    // name(.name)*.tld, then a path or port up to white space.
    const size_t k = DomainEnd(i);
    if (k == i) return i;
    if (k < j && cps_.Cp(k) != U'/' && cps_.Cp(k) != U':') j = k;
  }
  while (j > i + prefix) {
    const char32_t c = cps_.Cp(j - 1);
    if (c == U'.' || c == U',' || c == U';' || c == U'!' || c == U'?' ||
        c == U')' || c == U']' || c == U'}' || c == U'\'' || c == U'"' ||
        c == U':') {
      --j;
    } else {
      break;
    }
  }
  if (prefix > 0 && j == i + prefix) return i;  // "www." alone
  return j;
}

// "@name" / "#tag": the sign, then word characters (and inner dots for
// mentions). A sign inside a word never gets here: words take it in.
size_t TokenScanner::PrefixedEnd(size_t i, char32_t sign) const {
  if (cps_.Cp(i) != sign) return i;
  size_t j = i + 1;
  while (j < cps_.Size() &&
         (cps_.IsWordChar(j) || cps_.Cls(j) == CharClass::kFormat ||
          (sign == U'@' && cps_.Cp(j) == U'.' && j + 1 < cps_.Size() &&
           cps_.IsWordChar(j + 1)))) {
    ++j;
  }
  while (j > i + 1 && cps_.Cls(j - 1) == CharClass::kFormat) --j;
  return j > i + 1 ? j : i;
}

// One emoji sequence: a pictograph or flag, with variation selectors,
// skin tones, keycaps, tags, and ZWJ-joined further pictographs.
size_t TokenScanner::EmojiEnd(size_t i) const {
  size_t j = i;
  const char32_t first = cps_.Cp(i);
  if (cps_.Cls(i) == CharClass::kEmoji) {
    ++j;
    if (first >= 0x1F1E6 && first <= 0x1F1FF && j < cps_.Size() &&
        cps_.Cp(j) >= 0x1F1E6 && cps_.Cp(j) <= 0x1F1FF) {
      ++j;  // a flag is a pair of regional indicators
    }
  } else if (first == U'#' || first == U'*' || (first >= '0' && first <= '9')) {
    // Keycap: [#*0-9] FE0F? 20E3.
    size_t k = i + 1;
    if (k < cps_.Size() && cps_.Cp(k) == 0xFE0F) ++k;
    if (k < cps_.Size() && cps_.Cp(k) == 0x20E3) return k + 1;
    return i;
  } else {
    return i;
  }
  while (j < cps_.Size()) {
    const char32_t c = cps_.Cp(j);
    if (c == 0xFE0F || c == 0xFE0E || c == 0x20E3 ||
        (c >= 0x1F3FB && c <= 0x1F3FF) || (c >= 0xE0020 && c <= 0xE007F)) {
      ++j;
    } else if (c == 0x200D && j + 1 < cps_.Size() &&
               cps_.Cls(j + 1) == CharClass::kEmoji) {
      j += 2;
    } else {
      break;
    }
  }
  return j;
}

// Numbers: [+|currency] digits ([.,:/-] digits)* [% | unit [digits]].
// A digit run followed by letters that are not a unit is not a number
// (the word scanner takes it: "4ever", "covid19").
size_t TokenScanner::NumberEnd(size_t i) const {
  size_t j = i;
  if ((cps_.Cp(j) == U'+' || IsCurrencySign(cps_.Cp(j))) &&
      j + 1 < cps_.Size() && cps_.Cls(j + 1) == CharClass::kDigit) {
    if (i > 0 && cps_.IsWordChar(i - 1)) return i;
    ++j;
  }
  if (cps_.Cls(j) != CharClass::kDigit) return i;
  if (i > 0 && cps_.Cls(i - 1) == CharClass::kLetter) return i;
  auto digits = [&](size_t k) {
    while (k < cps_.Size() && cps_.Cls(k) == CharClass::kDigit) ++k;
    return k;
  };
  j = digits(j);
  size_t last_separator = 0;  // 0: none consumed
  while (j + 1 < cps_.Size() &&
         (cps_.Cp(j) == U'.' || cps_.Cp(j) == U',' || cps_.Cp(j) == U':' ||
          cps_.Cp(j) == U'/' || cps_.Cp(j) == U'-') &&
         cps_.Cls(j + 1) == CharClass::kDigit) {
    last_separator = j;
    j = digits(j + 1);
  }
  // Letters glued to the last digit group make that group part of a word
  // ("0912-4ever"): the number ends before its separator.
  auto glued_letters = [&]() {
    return last_separator > 0 ? last_separator : i;
  };
  if (j < cps_.Size() && cps_.Cp(j) == U'%') return j + 1;
  if (j < cps_.Size() && cps_.Cls(j) == CharClass::kLetter) {
    size_t k = j;
    std::u32string unit;
    while (k < cps_.Size() && cps_.Cls(k) == CharClass::kLetter) {
      unit.push_back(cps_.Props(k).folded);
      ++k;
    }
    if (!IsNumberUnit(unit)) return glued_letters();
    k = digits(k);  // "2tr5", "1m7"
    if (k < cps_.Size() && (cps_.Cls(k) == CharClass::kLetter ||
                            cps_.Cls(k) == CharClass::kMark)) {
      return glued_letters();
    }
    return k;
  }
  if (j < cps_.Size() && cps_.Cls(j) == CharClass::kMark)
    return glued_letters();
  return j;
}

// Words: letters, combining marks, digits, and '@'/'$' between word
// characters; zero-width characters inside are skipped (not at the end).
size_t TokenScanner::WordEnd(size_t i) const {
  const CharClass first = cps_.Cls(i);
  bool leet_start = (cps_.Cp(i) == U'$' || cps_.Cp(i) == U'@') &&
                    i + 1 < cps_.Size() &&
                    cps_.Cls(i + 1) == CharClass::kLetter;
  if (first != CharClass::kLetter && first != CharClass::kDigit &&
      !leet_start) {
    return i;
  }
  size_t j = i + 1;
  size_t end = j;  // end of the last real word character
  while (j < cps_.Size()) {
    const CharProps p = cps_.Props(j);
    if (p.cls == CharClass::kLetter || p.cls == CharClass::kMark ||
        p.cls == CharClass::kDigit) {
      end = ++j;
    } else if (p.cls == CharClass::kFormat) {
      ++j;
    } else if ((cps_.Cp(j) == U'@' || cps_.Cp(j) == U'$') &&
               j + 1 < cps_.Size() &&
               (cps_.Cls(j + 1) == CharClass::kLetter ||
                cps_.Cls(j + 1) == CharClass::kDigit)) {
      end = ++j;
    } else {
      break;
    }
  }
  return end;
}

// A run of punctuation, stopping where another token kind would start.
size_t TokenScanner::PunctEnd(size_t i) const {
  size_t j = i + 1;
  while (j < cps_.Size()) {
    const CharClass cls = cps_.Cls(j);
    if (cls == CharClass::kMark || cls == CharClass::kFormat) {
      ++j;
      continue;
    }
    if (cls != CharClass::kPunct || cps_.Cp(j) == 0xFFFD ||
        cps_.Cp(i) == 0xFFFD)
      break;
    if (PrefixedEnd(j, U'@') > j || PrefixedEnd(j, U'#') > j ||
        EmojiEnd(j) > j || NumberEnd(j) > j || WordEnd(j) > j) {
      break;
    }
    ++j;
  }
  while (j > i + 1 && cps_.Cls(j - 1) == CharClass::kFormat) --j;
  return j;
}

}  // namespace vigil::normalize
