#include "analyzers/normalize/word_steps.h"

#include <string_view>

#include "analyzers/normalize/normalizer.h"
#include "analyzers/normalize/vietnamese.h"

namespace vigil::normalize {
namespace {

// Leetspeak substitutions inside words.
char32_t LeetLetter(char32_t c) {
  switch (c) {
    case U'0':
      return U'o';
    case U'1':
      return U'i';
    case U'3':
      return U'e';
    case U'4':
      return U'a';
    case U'@':
      return U'a';
    case U'$':
      return U's';
    default:
      return 0;
  }
}

}  // namespace

// Collapses runs of 3+ copies of one letter (tone marks aside) to a single
// letter, keeping a tone mark if the run had one. Returns true if changed.
bool CollapseRepeats(std::u32string& w) {
  bool changed = false;
  size_t out = 0;
  size_t i = 0;
  while (i < w.size()) {
    const ToneSplit first = SplitTone(w[i]);
    size_t j = i + 1;
    char32_t toned = first.tone != Tone::kNone ? w[i] : 0;
    while (j < w.size() && SplitTone(w[j]).letter == first.letter) {
      if (toned == 0 && SplitTone(w[j]).tone != Tone::kNone) toned = w[j];
      ++j;
    }
    const bool is_letter = !(first.letter >= '0' && first.letter <= '9');
    if (j - i >= 3 && is_letter) {
      w[out++] = toned != 0 ? toned : w[i];
      changed = true;
    } else {
      for (size_t k = i; k < j; ++k) w[out++] = w[k];
    }
    i = j;
  }
  w.resize(out);
  return changed;
}

// Reads in-word leetspeak. '@' and '$' always read as letters inside a word
// ("f@ck", "$ex"). Digits read as letters when each run of them sits between
// letters ("ch3t", "l00n") or when the result has the shape of a Vietnamese
// syllable once repeats collapse ("ng0" → "ngo", "ng000" → "ngo");
// otherwise the word stays as written ("mp3", "covid19", "4ever").
bool ReadLeetspeak(std::u32string& w) {
  auto is_digit = [](char32_t c) { return c >= '0' && c <= '9'; };
  std::u32string out = w;
  bool digits_inside = true;
  size_t letters = 0;
  for (size_t k = 0; k < w.size(); ++k) {
    const char32_t l = LeetLetter(w[k]);
    if (l == 0) {
      if (is_digit(w[k])) return false;  // a digit with no letter reading
      ++letters;
      continue;
    }
    out[k] = l;
    if (is_digit(w[k]) && (k == 0 || !is_digit(w[k - 1]))) {
      size_t run_end = k;
      while (run_end < w.size() && is_digit(w[run_end])) ++run_end;
      digits_inside = digits_inside && k > 0 && run_end < w.size();
    }
  }
  if (letters == 0) return false;
  if (!digits_inside) {
    std::u32string collapsed = out;
    CollapseRepeats(collapsed);
    std::string folded;
    for (char32_t c : collapsed) {
      const char f = FoldLetter(c);
      if (f == 0) return false;
      folded.push_back(f);
    }
    if (!IsSyllableShape(folded)) return false;
  }
  w = std::move(out);
  return true;
}

// Applies collapse and tone placement; returns the steps that changed it.
uint32_t CollapseAndPlaceTone(std::u32string& w) {
  uint32_t steps = 0;
  if (CollapseRepeats(w)) steps |= kStepRepeatCollapsed;
  if (PlaceTone(w.data(), static_cast<int>(w.size()))) steps |= kStepToneMoved;
  return steps;
}

}  // namespace vigil::normalize
