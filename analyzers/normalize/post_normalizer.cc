#include "analyzers/normalize/post_normalizer.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "analyzers/normalize/vietnamese.h"
#include "analyzers/normalize/word_steps.h"
#include "analyzers/util/strings.h"

namespace vigil::normalize {
namespace {

bool IsAsciiVowelLetter(char32_t c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

void AppendUtf8(char32_t c, std::string& out) {
  char bytes[U8_MAX_LENGTH];
  size_t n = 0;
  U8_APPEND_UNSAFE(bytes, n, c);
  out.append(bytes, n);
}

// Per-thread buffer reused across posts (no allocation per post).
CodePointBuffer& Scratch() {
  thread_local CodePointBuffer buffer;
  return buffer;
}

}  // namespace

PostNormalizer::PostNormalizer(const TeencodeTable& teencode,
                               uint32_t normalizer_id, std::string_view post,
                               NormalizedText& out)
    : teencode_(teencode),
      normalizer_id_(normalizer_id),
      post_(post),
      out_(out),
      table_(CharTable()),
      cps_(DecodeUtf8(post, Scratch(), &out.invalid_utf8_)),
      scan_(cps_),
      memo_(WordMemo::ForThread()) {
  out_.canonical_.reserve(post.size() + post.size() / 4 + 16);
  out_.folded_.reserve(post.size() + 16);
  out_.tokens_.reserve(post.size() / 4 + 4);
}

void PostNormalizer::Run() {
  const size_t n = cps_.Size();
  size_t i = 0;
  while (i < n) {
    const CharClass cls = cps_.Cls(i);
    if (cls == CharClass::kSpace || cls == CharClass::kFormat) {
      ++i;
      continue;
    }
    if (i >= scan_.chunk_end()) scan_.StartChunk(i);
    size_t end;
    if (cls == CharClass::kLetter && !scan_.chunk_may_link()) {
      // The common case: only a word can start here.
      end = EmitWordOrJoinedLetters(i, scan_.WordEnd(i));
    } else if (scan_.chunk_may_link() && (end = scan_.EmailEnd(i)) > i) {
      EmitRaw(TokenKind::kEmail, i, end, /*fold_case=*/true);
    } else if (scan_.chunk_may_link() && (end = scan_.UrlEnd(i)) > i) {
      EmitRaw(TokenKind::kUrl, i, end, /*fold_case=*/true);
    } else if ((end = scan_.PrefixedEnd(i, U'@')) > i) {
      EmitRaw(TokenKind::kMention, i, end, true);
    } else if ((end = scan_.PrefixedEnd(i, U'#')) > i) {
      EmitRaw(TokenKind::kHashtag, i, end, true);
    } else if ((end = scan_.EmojiEnd(i)) > i) {
      EmitRaw(TokenKind::kEmoji, i, end, false);
    } else if ((end = scan_.NumberEnd(i)) > i) {
      EmitRaw(TokenKind::kNumber, i, end, true);
    } else if ((end = scan_.WordEnd(i)) > i) {
      end = EmitWordOrJoinedLetters(i, end);
    } else {
      end = scan_.PunctEnd(i);
      EmitRaw(TokenKind::kPunct, i, end, false);
    }
    i = end;
  }
  out_.unaccented_ =
      out_.words_ > 0 &&
      out_.accented_words_ < NormalizedText::kUnaccentedMaxRatio * out_.words_;
}

Token PostNormalizer::StartToken(TokenKind kind, size_t i, size_t end) const {
  Token t;
  t.kind = kind;
  t.begin = cps_.Byte(i);
  t.end = cps_.Byte(end);
  t.begin_char = static_cast<uint32_t>(i);
  t.end_char = static_cast<uint32_t>(end);
  return t;
}

void PostNormalizer::Append(Token t, std::string_view text) {
  if (!out_.canonical_.empty()) {
    out_.canonical_.push_back(' ');
    out_.folded_.push_back(' ');
  }
  t.canonical_begin = static_cast<uint32_t>(out_.canonical_.size());
  out_.canonical_.append(text);
  t.canonical_end = static_cast<uint32_t>(out_.canonical_.size());
  t.folded_begin = static_cast<uint32_t>(out_.folded_.size());
  int32_t k = 0;
  const int32_t n = static_cast<int32_t>(text.size());
  uint8_t high = 0;
  for (char ch : text) high |= static_cast<uint8_t>(ch);
  if (high < 0x80) {
    out_.folded_.append(text);
    k = n;
  }
  while (k < n) {
    UChar32 c;
    U8_NEXT_UNSAFE(text.data(), k, c);
    if (c < 0x80) {
      out_.folded_.push_back(static_cast<char>(c));
      continue;
    }
    const CharProps p = GetCharProps(table_, c);
    if (p.ascii_base != 0) {
      out_.folded_.push_back(p.ascii_base);
    } else if (p.cls != CharClass::kMark || t.kind == TokenKind::kEmoji ||
               t.kind == TokenKind::kPunct) {
      // Diacritics leave the folded view of words, hashtags and mentions;
      // punctuation and emoji keep their marks (a lone mark stays a token).
      AppendUtf8(c, out_.folded_);
    }
  }
  t.folded_end = static_cast<uint32_t>(out_.folded_.size());
  out_.tokens_.push_back(t);
}

void PostNormalizer::AppendWord(Token t, const std::u32string& w) {
  if (!out_.canonical_.empty()) {
    out_.canonical_.push_back(' ');
    out_.folded_.push_back(' ');
  }
  t.canonical_begin = static_cast<uint32_t>(out_.canonical_.size());
  t.folded_begin = static_cast<uint32_t>(out_.folded_.size());
  // Encode into stack buffers and append once per view.
  constexpr size_t kChunk = 32;
  char canonical[kChunk * 4];
  char folded[kChunk * 4];
  for (size_t from = 0; from < w.size(); from += kChunk) {
    const size_t to = std::min(w.size(), from + kChunk);
    size_t nc = 0, nf = 0;
    for (size_t k = from; k < to; ++k) {
      const char32_t c = w[k];
      if (c < 0x80) {
        canonical[nc++] = static_cast<char>(c);
        folded[nf++] = static_cast<char>(c);
        continue;
      }
      U8_APPEND_UNSAFE(canonical, nc, c);
      const CharProps& p = GetCharProps(table_, c);
      if (p.ascii_base != 0) {
        folded[nf++] = p.ascii_base;
      } else if (p.cls != CharClass::kMark) {
        U8_APPEND_UNSAFE(folded, nf, c);  // diacritics leave the folded view
      }
    }
    out_.canonical_.append(canonical, nc);
    out_.folded_.append(folded, nf);
  }
  t.canonical_end = static_cast<uint32_t>(out_.canonical_.size());
  t.folded_end = static_cast<uint32_t>(out_.folded_.size());
  out_.tokens_.push_back(t);
}

int32_t PostNormalizer::FindTeencode(const std::u32string& w) {
  if (keep_spelling_ || !teencode_.MayContain(w)) {
    return -1;
  }
  key_.clear();
  for (char32_t c : w) AppendUtf8(c, key_);
  return teencode_.Find(key_);
}

void PostNormalizer::EmitRaw(TokenKind kind, size_t i, size_t end,
                             bool fold_case) {
  Token t = StartToken(kind, i, end);
  scratch_.clear();
  for (size_t k = i; k < end; ++k) {
    const CharProps p = cps_.Props(k);
    if (p.cls == CharClass::kFormat && kind != TokenKind::kEmoji) {
      t.steps |= kStepFormatRemoved;
      continue;
    }
    if (cps_.Cp(k) == 0xFFFD) t.steps |= kStepInvalidUtf8;
    char32_t c = cps_.Cp(k);
    if (fold_case && p.cls == CharClass::kLetter) {
      if (p.upper) t.steps |= kStepCaseFolded;
      if (p.eth) t.steps |= kStepEth;
      c = p.folded;
    }
    AppendUtf8(c, scratch_);
  }
  Append(t, scratch_);
}

size_t PostNormalizer::JoinedLettersEnd(size_t i, size_t end) const {
  // The ASCII letter under the only letter of the word [a, b) (marks
  // allowed), or 0.
  auto single_letter = [&](size_t a, size_t b) -> char {
    char base = 0;
    for (size_t k = a; k < b; ++k) {
      const CharClass cls = cps_.Cls(k);
      if (cls == CharClass::kMark || cls == CharClass::kFormat) continue;
      if (cls != CharClass::kLetter || base != 0) return 0;
      base = cps_.Props(k).ascii_base;
      if (base == 0) return 0;
    }
    return base;
  };
  const auto is_separator = [](char32_t c) {
    return c == U'.' || c == U'-' || c == U'_' || c == U' ';
  };
  const char first = single_letter(i, end);
  if (first == 0) return end;
  // Inside a longer run that did not spell a syllable ("u.s.a"), join
  // nothing: the run starts at its first letter or not at all.
  if (i >= 2 && is_separator(cps_.Cp(i - 1))) {
    size_t p = i - 2;
    while (p > 0 && cps_.Cls(p) == CharClass::kMark) --p;
    const bool word_before =
        cps_.Cls(p) == CharClass::kLetter || cps_.Cls(p) == CharClass::kDigit;
    const bool single = p == 0 || (cps_.Cls(p - 1) != CharClass::kLetter &&
                                   cps_.Cls(p - 1) != CharClass::kMark &&
                                   cps_.Cls(p - 1) != CharClass::kDigit);
    if (word_before && single) return end;
  }
  char folded[8] = {first};
  size_t letters = 1;
  char32_t separator = 0;
  size_t run_end = end;
  for (size_t k = end; k + 1 < cps_.Size() && letters < sizeof(folded);) {
    const char32_t c = cps_.Cp(k);
    if (!is_separator(c)) break;
    if (separator != 0 && c != separator) break;
    const size_t next_end = scan_.WordEnd(k + 1);
    const char letter =
        next_end > k + 1 ? single_letter(k + 1, next_end) : char{0};
    if (letter == 0) break;
    separator = c;
    folded[letters++] = letter;
    run_end = k = next_end;
  }
  const size_t min_letters = separator == U' ' ? 3 : 2;
  if (letters < min_letters || letters == sizeof(folded) ||
      !IsSyllableShape(std::string_view(folded, letters))) {
    return end;
  }
  return run_end;
}

size_t PostNormalizer::EmitWordOrJoinedLetters(size_t i, size_t end) {
  const size_t run = JoinedLettersEnd(i, end);
  if (run == end) {
    EmitWord(i, end);
    return end;
  }
  Token t = StartToken(TokenKind::kWord, i, run);
  t.steps |= kStepLettersJoined;
  skip_separators_ = true;
  EmitWordUncached(t, i, run);
  skip_separators_ = false;
  return run;
}

void PostNormalizer::EmitWord(size_t i, size_t end) {
  Token t = StartToken(TokenKind::kWord, i, end);
  const std::string_view raw = post_.substr(t.begin, t.end - t.begin);
  // A word glued to a star is a fragment of a masked word ("ng*" hides
  // "ngu", not "người"): spelled as written, and not memoized, since the
  // same bytes elsewhere are read as teencode.
  keep_spelling_ = (t.begin > 0 && post_[t.begin - 1] == '*') ||
                   (t.end < post_.size() && post_[t.end] == '*');
  if (keep_spelling_) {
    EmitWordUncached(t, i, end);
    keep_spelling_ = false;
    return;
  }
  WordMemo::Slot* slot = nullptr;
  if (normalizer_id_ != 0 && raw.size() <= WordMemo::kMaxKey) {
    slot = &memo_.SlotFor(raw);
    if (slot->owner == normalizer_id_ &&
        std::string_view(slot->key, slot->key_len) == raw) {
      ReplayWord(t, *slot);
      return;
    }
  }
  const uint32_t words_before = out_.words_;
  const size_t tokens_before = out_.tokens_.size();
  EmitWordUncached(t, i, end);
  if (slot == nullptr) return;
  // Remember the result when it fits.
  const Token& first = out_.tokens_[tokens_before];
  const bool expanded =
      out_.tokens_.size() - tokens_before > 1 || (first.steps & kStepTeencode);
  const size_t canonical_len = out_.canonical_.size() - first.canonical_begin;
  const size_t folded_len = out_.folded_.size() - first.folded_begin;
  if ((!expanded && canonical_len + folded_len > WordMemo::kMaxText) ||
      first.ambiguous_teencode > INT16_MAX || last_expansion_ > INT16_MAX ||
      first.steps > UINT16_MAX) {
    return;
  }
  slot->owner = normalizer_id_;
  slot->key_len = static_cast<uint8_t>(raw.size());
  std::memcpy(slot->key, raw.data(), raw.size());
  slot->steps = static_cast<uint16_t>(first.steps);
  slot->accented = first.accented;
  slot->ambiguous_teencode = static_cast<int16_t>(first.ambiguous_teencode);
  slot->counted = out_.words_ != words_before;
  slot->expansion = -1;
  if (expanded) {
    slot->expansion = static_cast<int16_t>(last_expansion_);
    slot->canonical_len = slot->folded_len = 0;
  } else {
    slot->canonical_len = static_cast<uint8_t>(canonical_len);
    slot->folded_len = static_cast<uint8_t>(folded_len);
    std::memcpy(slot->text, out_.canonical_.data() + first.canonical_begin,
                canonical_len);
    std::memcpy(slot->text + canonical_len,
                out_.folded_.data() + first.folded_begin, folded_len);
  }
}

void PostNormalizer::ReplayWord(Token t, const WordMemo::Slot& slot) {
  t.steps = slot.steps;
  t.accented = slot.accented;
  t.ambiguous_teencode = slot.ambiguous_teencode;
  if (slot.counted) {
    ++out_.words_;
    if (slot.accented) ++out_.accented_words_;
  }
  if (slot.expansion >= 0) {
    AppendExpansion(t, slot.expansion);
    return;
  }
  if (!out_.canonical_.empty()) {
    out_.canonical_.push_back(' ');
    out_.folded_.push_back(' ');
  }
  t.canonical_begin = static_cast<uint32_t>(out_.canonical_.size());
  out_.canonical_.append(slot.text, slot.canonical_len);
  t.canonical_end = static_cast<uint32_t>(out_.canonical_.size());
  t.folded_begin = static_cast<uint32_t>(out_.folded_.size());
  out_.folded_.append(slot.text + slot.canonical_len, slot.folded_len);
  t.folded_end = static_cast<uint32_t>(out_.folded_.size());
  out_.tokens_.push_back(t);
}

void PostNormalizer::AppendExpansion(Token t, int32_t entry) {
  last_expansion_ = entry;
  t.steps |= kStepTeencode;
  const std::string& expansion = teencode_.entry(entry).expansions.front();
  std::vector<std::string_view> parts = SplitChar(expansion, ' ');
  t.parts = static_cast<uint8_t>(std::min<size_t>(parts.size(), 255));
  for (size_t p = 0; p < parts.size() && p < 255; ++p) {
    Token part = t;
    part.part = static_cast<uint8_t>(p);
    Append(part, parts[p]);
  }
}

void PostNormalizer::EmitWordUncached(Token t, size_t i, size_t end) {
  WordFacts f = ReadWord(t, i, end);
  if (f.needs_nfc || (f.any_lookalike && f.lookalikes_apply)) {
    MapLookalikesAndCompose(t, f);
  }
  t.accented = f.accented;
  CountWord(t, f);
  int32_t entry = ResolveSpelling(t, f);
  if (entry >= 0 && teencode_.entry(entry).ambiguous) {
    t.ambiguous_teencode = entry;
    entry = -1;
  }
  if (entry < 0) {
    AppendWord(t, word_);
    return;
  }
  AppendExpansion(t, entry);
}

PostNormalizer::WordFacts PostNormalizer::ReadWord(Token& t, size_t i,
                                                   size_t end) {
  // One pass: case fold, drop format characters, and note what the later
  // steps need to look at. Look-alikes apply only when every non-Latin
  // letter of the word has a Latin look-alike. Written through a raw
  // pointer: the word never has more code points than its original span.
  WordFacts f;
  word_.resize(end - i);
  char32_t* w = word_.data();
  size_t n = 0;
  int run = 0;  // length of the current run of one toneless letter
  char32_t prev_toneless = 0;
  for (size_t k = i; k < end; ++k) {
    const CharClass cls = cps_.Cls(k);
    if (cls == CharClass::kFormat) {
      t.steps |= kStepFormatRemoved;
      continue;
    }
    if (skip_separators_ && cls != CharClass::kLetter &&
        cls != CharClass::kMark) {
      continue;  // the separators of joined letters
    }
    char32_t c = cps_.Cp(k);
    if (c >= 'a' && c <= 'z') {
      // Lowercase ASCII letter: nothing but the run and vowel counts.
      f.vowels += IsAsciiVowelLetter(c);
      run = c == prev_toneless ? run + 1 : 1;
      f.repeats |= run >= 3;
      prev_toneless = c;
      w[n++] = c;
      continue;
    }
    const CharProps& p = cps_.Props(k);
    if (cls == CharClass::kLetter) {
      if (!p.latin) {
        if (p.confusable) {
          f.any_lookalike = true;
        } else {
          f.lookalikes_apply = false;
        }
      }
      if (p.upper) t.steps |= kStepCaseFolded;
      if (p.eth) t.steps |= kStepEth;
      c = p.folded;
      f.vowels += p.vowel;
      f.tones += p.tone != 0;
      if (c >= 0x80 && p.ascii_base != 0) f.accented = true;
      if (p.ascii_base == 0) f.foldable = false;
      run = p.toneless == prev_toneless ? run + 1 : 1;
      f.repeats |= run >= 3;
      prev_toneless = p.toneless;
    } else {
      f.foldable = false;
      prev_toneless = 0;
      if (c < 0x80) {
        f.leet_chars = true;  // ASCII digits, '@', '$'
      } else {
        f.needs_nfc |= p.nfc_unsafe;
        if (cls == CharClass::kDigit) f.lookalikes_apply = false;
      }
    }
    if (c >= 0x80) f.needs_nfc |= p.nfc_unsafe;
    w[n++] = c;
  }
  word_.resize(n);
  return f;
}

void PostNormalizer::MapLookalikesAndCompose(Token& t, WordFacts& f) {
  const bool map_lookalikes = f.any_lookalike && f.lookalikes_apply;
  if (map_lookalikes) {
    t.steps |= kStepConfusable;
    for (char32_t& c : word_) {
      const CharProps& p = GetCharProps(table_, c);
      if (p.cls == CharClass::kLetter && !p.latin) c = p.lookalike;
    }
    f.needs_nfc = true;  // a mapped letter may compose with a following mark
  }
  if (f.needs_nfc) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    icu::UnicodeString u = icu::UnicodeString::fromUTF32(
        reinterpret_cast<const UChar32*>(word_.data()),
        static_cast<int32_t>(word_.size()));
    icu::UnicodeString composed = nfc->normalize(u, status);
    if (U_SUCCESS(status) && composed != u) {
      if (!map_lookalikes ||
          composed.countChar32() != static_cast<int32_t>(word_.size())) {
        t.steps |= kStepNfc;
      }
      word_.clear();
      for (int32_t k = 0; k < composed.length();
           k = composed.moveIndex32(k, 1)) {
        // Composition can yield upper case only in exotic cases; fold again
        // to keep the canonical form lowercase.
        word_.push_back(GetCharProps(table_, composed.char32At(k)).folded);
      }
    }
  }
  // The code points changed: recount what the later steps look at.
  f.accented = false;
  f.foldable = true;
  f.vowels = f.tones = 0;
  f.repeats = true;  // let CollapseRepeats decide
  for (char32_t c : word_) {
    const CharProps& p = GetCharProps(table_, c);
    if (p.ascii_base == 0) {
      f.foldable = false;
    } else if (c >= 0x80) {
      f.accented = true;
    }
    f.vowels += p.vowel;
    f.tones += p.tone != 0;
  }
}

void PostNormalizer::CountWord(const Token& t, const WordFacts& f) {
  // Statistics for unaccented(): Vietnamese-looking words as written.
  if (t.accented) {
    ++out_.words_;
    ++out_.accented_words_;
  } else if (f.foldable && word_.size() <= 16) {
    char folded[16];
    for (size_t k = 0; k < word_.size(); ++k) {
      folded[k] = GetCharProps(table_, word_[k]).ascii_base;
    }
    if (IsSyllableShape(std::string_view(folded, word_.size()))) ++out_.words_;
  }
}

int32_t PostNormalizer::ResolveSpelling(Token& t, WordFacts& f) {
  // Teencode may spell digits ("t2"): try the word without leetspeak first.
  int32_t entry = -1;
  if (f.leet_chars) {
    plain_ = word_;
    const uint32_t plain_steps = CollapseAndPlaceTone(plain_);
    entry = FindTeencode(plain_);
    if (entry >= 0) {
      word_ = plain_;
      t.steps |= plain_steps;
      return entry;
    }
    if (ReadLeetspeak(word_)) {
      t.steps |= kStepLeetspeak;
      f.repeats = true;
      f.vowels = 2;  // let PlaceTone decide
    }
  }
  if (f.repeats && CollapseRepeats(word_)) t.steps |= kStepRepeatCollapsed;
  // A single tone mark on the only vowel is already in place.
  if ((f.tones > 1 || (f.tones == 1 && f.vowels > 1)) &&
      PlaceTone(word_.data(), static_cast<int>(word_.size()))) {
    t.steps |= kStepToneMoved;
  }
  return FindTeencode(word_);
}

}  // namespace vigil::normalize
