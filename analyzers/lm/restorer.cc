#include "analyzers/lm/restorer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

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

// log P of the pairs inside an option.
double Inner(const SyllableLm& lm, const std::vector<int32_t>& option) {
  double s = 0;
  for (size_t i = 1; i < option.size(); ++i) {
    s += lm.LogProb(option[i - 1], option[i]);
  }
  return s;
}

}  // namespace

Slot WordSlot(const SyllableLm& lm, std::string_view folded,
              std::string_view as_written, int max_candidates) {
  const int32_t self = lm.IdOf(as_written);
  std::span<const int32_t> c = lm.Candidates(folded);
  const size_t k = std::min(c.size(), static_cast<size_t>(max_candidates));
  Slot slot;
  bool has_self = false;
  for (size_t i = 0; i < k; ++i) {
    slot.options.push_back({c[i]});
    has_self |= c[i] == self;
  }
  // The word as written, when the model knows it but it fell outside the
  // most frequent candidates, stays possible.
  if (self != SyllableLm::kUnknown && !has_self) slot.options.push_back({self});
  slot.open = slot.options.size() > 1 ||
              (slot.options.size() == 1 && slot.options[0][0] != self);
  if (slot.options.empty()) slot.options.push_back({self});
  return slot;
}

std::vector<Posterior> Decode(const SyllableLm& lm,
                              const std::vector<Slot>& sentence) {
  const size_t n = sentence.size();
  std::vector<std::vector<double>> inner(n);
  for (size_t i = 0; i < n; ++i) {
    for (const std::vector<int32_t>& o : sentence[i].options) {
      inner[i].push_back(Inner(lm, o));
    }
  }
  auto first = [&](size_t i, size_t k) {
    return sentence[i].options[k].front();
  };
  auto last = [&](size_t i, size_t k) { return sentence[i].options[k].back(); };
  // alpha[i][k]: log P(words up to i, slot i = option k); beta[i][k]: log P
  // of the words after i given option k; the sentence boundary closes both.
  std::vector<std::vector<double>> alpha(n), beta(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t m = sentence[i].options.size();
    alpha[i].assign(m, kNegInf);
    for (size_t k = 0; k < m; ++k) {
      if (i == 0) {
        alpha[i][k] = lm.LogProb(SyllableLm::kBoundary, first(i, k));
      } else {
        for (size_t j = 0; j < alpha[i - 1].size(); ++j) {
          alpha[i][k] =
              LogAdd(alpha[i][k],
                     alpha[i - 1][j] + lm.LogProb(last(i - 1, j), first(i, k)));
        }
      }
      alpha[i][k] += inner[i][k];
    }
  }
  for (size_t i = n; i-- > 0;) {
    const size_t m = sentence[i].options.size();
    beta[i].assign(m, kNegInf);
    for (size_t k = 0; k < m; ++k) {
      if (i + 1 == n) {
        beta[i][k] = lm.LogProb(last(i, k), SyllableLm::kBoundary);
        continue;
      }
      for (size_t j = 0; j < beta[i + 1].size(); ++j) {
        beta[i][k] =
            LogAdd(beta[i][k], lm.LogProb(last(i, k), first(i + 1, j)) +
                                   inner[i + 1][j] + beta[i + 1][j]);
      }
    }
  }
  std::vector<Posterior> out(n);
  for (size_t i = 0; i < n; ++i) {
    double z = kNegInf;
    size_t best = 0;
    for (size_t k = 0; k < alpha[i].size(); ++k) {
      const double s = alpha[i][k] + beta[i][k];
      z = LogAdd(z, s);
      if (s > alpha[i][best] + beta[i][best]) best = k;
    }
    out[i].best = static_cast<int>(best);
    out[i].probability =
        z == kNegInf ? 0.0 : std::exp(alpha[i][best] + beta[i][best] - z);
  }
  return out;
}

std::vector<Choice> Restore(const SyllableLm& lm,
                            const normalize::TeencodeTable& teencode,
                            const NormalizedText& text,
                            const Options& options) {
  const std::vector<Token>& tokens = text.tokens();
  std::vector<Choice> choices(tokens.size());
  std::vector<Slot> sentence;
  std::vector<size_t> where;  // token index of each slot
  auto flush = [&] {
    if (sentence.empty()) return;
    const std::vector<Posterior> p = Decode(lm, sentence);
    for (size_t s = 0; s < sentence.size(); ++s) {
      if (!sentence[s].open) continue;
      Choice& c = choices[where[s]];
      c.best = p[s].best;
      c.confidence = p[s].probability;
      c.restored = c.confidence >= options.min_confidence &&
                   c.candidates[c.best] != text.text(tokens[where[s]]);
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
    std::vector<std::string> texts;  // per option
    if (t.ambiguous_teencode >= 0) {
      for (const std::string& e :
           teencode.entry(t.ambiguous_teencode).expansions) {
        std::vector<int32_t> o;
        std::vector<std::string> words = absl::StrSplit(e, ' ');
        for (const std::string& w : words) o.push_back(lm.IdOf(w));
        slot.options.push_back(std::move(o));
        texts.push_back(e);
      }
    }
    if (written_bare) {
      Slot bare = WordSlot(lm, text.folded_text(t), text.text(t),
                           options.max_candidates);
      for (std::vector<int32_t>& o : bare.options) {
        if (o[0] == SyllableLm::kUnknown && !slot.options.empty()) continue;
        if (std::find(slot.options.begin(), slot.options.end(), o) !=
            slot.options.end()) {
          continue;
        }
        texts.push_back(o[0] == SyllableLm::kUnknown ? std::string(text.text(t))
                                                     : lm.Syllable(o[0]));
        slot.options.push_back(std::move(o));
      }
    }
    if (written_bare) {
      slot.open = slot.options.size() > 1 ||
                  (slot.options.size() == 1 && texts[0] != text.text(t));
    } else {
      slot.open = slot.options.size() > 1;  // an ambiguous teencode word
    }
    if (slot.options.empty()) slot.options.push_back({lm.IdOf(text.text(t))});
    if (slot.open) {
      choices[i].open = true;
      choices[i].candidates = std::move(texts);
    }
    sentence.push_back(std::move(slot));
    where.push_back(i);
  }
  flush();
  return choices;
}

std::string RestoredCanonical(const NormalizedText& text,
                              const std::vector<Choice>& choices) {
  std::string out;
  const std::vector<Token>& tokens = text.tokens();
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) out += ' ';
    if (i < choices.size() && choices[i].restored) {
      out += choices[i].candidates[choices[i].best];
    } else {
      out += text.text(tokens[i]);
    }
  }
  return out;
}

}  // namespace vigil::lm
