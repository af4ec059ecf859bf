#include "analyzers/lm/restorer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

namespace vigil::lm {

using normalize::NormalizedText;
using normalize::Token;
using normalize::TokenKind;

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double LogAdd(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  const double m = std::max(a, b);
  return m + std::log(std::exp(a - m) + std::exp(b - m));
}

std::vector<int32_t> StatesOf(const Slot& s) {
  return s.open ? s.candidates : std::vector<int32_t>{s.fixed};
}

}  // namespace

Slot WordSlot(const SyllableLm& lm, std::string_view folded,
              std::string_view as_written, int max_candidates) {
  Slot slot;
  const int32_t self = lm.IdOf(as_written);
  std::span<const int32_t> c = lm.Candidates(folded);
  const size_t k = std::min(c.size(), static_cast<size_t>(max_candidates));
  slot.candidates.assign(c.begin(), c.begin() + k);
  // The word as written, when the model knows it but it fell outside the
  // most frequent candidates, stays possible.
  if (self != SyllableLm::kUnknown &&
      std::find(slot.candidates.begin(), slot.candidates.end(), self) ==
          slot.candidates.end()) {
    slot.candidates.push_back(self);
  }
  slot.open = slot.candidates.size() > 1 ||
              (slot.candidates.size() == 1 && slot.candidates[0] != self);
  if (!slot.open) {
    slot.candidates.clear();
    slot.fixed = self;
  }
  return slot;
}

std::vector<Posterior> Decode(const SyllableLm& lm,
                              const std::vector<Slot>& sentence) {
  const size_t n = sentence.size();
  std::vector<std::vector<int32_t>> states(n);
  for (size_t i = 0; i < n; ++i) states[i] = StatesOf(sentence[i]);
  // alpha[i][k]: log P(words up to i, slot i = state k); beta likewise for
  // the words after i, the sentence boundary closing both ends.
  std::vector<std::vector<double>> alpha(n), beta(n);
  for (size_t i = 0; i < n; ++i) {
    alpha[i].assign(states[i].size(), kNegInf);
    for (size_t k = 0; k < states[i].size(); ++k) {
      if (i == 0) {
        alpha[i][k] = lm.LogProb(SyllableLm::kBoundary, states[i][k]);
        continue;
      }
      for (size_t j = 0; j < states[i - 1].size(); ++j) {
        alpha[i][k] =
            LogAdd(alpha[i][k], alpha[i - 1][j] +
                                    lm.LogProb(states[i - 1][j], states[i][k]));
      }
    }
  }
  for (size_t i = n; i-- > 0;) {
    beta[i].assign(states[i].size(), kNegInf);
    for (size_t k = 0; k < states[i].size(); ++k) {
      if (i + 1 == n) {
        beta[i][k] = lm.LogProb(states[i][k], SyllableLm::kBoundary);
        continue;
      }
      for (size_t j = 0; j < states[i + 1].size(); ++j) {
        beta[i][k] =
            LogAdd(beta[i][k],
                   beta[i + 1][j] + lm.LogProb(states[i][k], states[i + 1][j]));
      }
    }
  }
  std::vector<Posterior> out(n);
  for (size_t i = 0; i < n; ++i) {
    double z = kNegInf;
    size_t best = 0;
    for (size_t k = 0; k < states[i].size(); ++k) {
      const double s = alpha[i][k] + beta[i][k];
      z = LogAdd(z, s);
      if (s > alpha[i][best] + beta[i][best]) best = k;
    }
    out[i].best = states[i][best];
    out[i].probability =
        z == kNegInf ? 0.0 : std::exp(alpha[i][best] + beta[i][best] - z);
  }
  return out;
}

std::vector<Choice> Restore(const SyllableLm& lm, const NormalizedText& text,
                            const Options& options) {
  const std::vector<Token>& tokens = text.tokens();
  std::vector<Choice> choices(tokens.size());
  std::vector<Slot> sentence;
  std::vector<size_t> where;  // token index of each slot
  auto flush = [&] {
    if (sentence.empty()) return;
    const std::vector<Posterior> p = Decode(lm, sentence);
    for (size_t s = 0; s < sentence.size(); ++s) {
      Choice& c = choices[where[s]];
      if (!sentence[s].open) continue;
      c.best = p[s].best;
      c.confidence = p[s].probability;
      c.restored = c.confidence >= options.min_confidence &&
                   lm.Syllable(c.best) != text.text(tokens[where[s]]);
    }
    sentence.clear();
    where.clear();
  };
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind != TokenKind::kWord) {
      flush();
      continue;
    }
    const bool written_bare = !t.accented &&
                              !(t.steps & normalize::kStepTeencode) &&
                              text.text(t) == text.folded_text(t);
    Slot slot;
    if (written_bare) {
      slot = WordSlot(lm, text.folded_text(t), text.text(t),
                      options.max_candidates);
    } else {
      slot.fixed = lm.IdOf(text.text(t));
    }
    if (slot.open) {
      choices[i].open = true;
      choices[i].candidates = slot.candidates;
    }
    sentence.push_back(std::move(slot));
    where.push_back(i);
  }
  flush();
  return choices;
}

std::string RestoredCanonical(const SyllableLm& lm, const NormalizedText& text,
                              const std::vector<Choice>& choices) {
  std::string out;
  const std::vector<Token>& tokens = text.tokens();
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) out += ' ';
    if (i < choices.size() && choices[i].restored) {
      out += lm.Syllable(choices[i].best);
    } else {
      out += text.text(tokens[i]);
    }
  }
  return out;
}

}  // namespace vigil::lm
