#include "analyzers/lm/restorer.h"

#include <algorithm>
#include <span>

#include "absl/strings/str_split.h"

namespace vigil::lm {

using normalize::NormalizedText;
using normalize::Token;
using normalize::TokenKind;

namespace {
constexpr size_t kMaxSentence = 256;  // words decoded in one pass
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

namespace {

// Scales `v` to sum 1 (left as it is when it sums to 0).
void Normalize(double* v, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += v[i];
  if (sum > 0) {
    for (size_t i = 0; i < n; ++i) v[i] /= sum;
  }
}
void Normalize(std::vector<double>& v) { Normalize(v.data(), v.size()); }

// Posteriors of every option of every slot under the pair model.
std::vector<std::vector<double>> PairPosteriors(
    const SyllableLm& lm, const std::vector<Slot>& sentence) {
  // Forward-backward in probability space, each position's alpha and beta
  // scaled to sum 1 (posteriors are ratios at one position, so the scales
  // cancel, and nothing underflows however long the sentence). The tables
  // live in per-thread buffers, slot i's at offsets step_at[i] and at[i].
  const size_t n = sentence.size();
  auto options = [&](size_t i) { return sentence[i].options.size(); };
  thread_local std::vector<size_t> step_at, at;
  thread_local std::vector<double> step, alpha, beta, inner;
  thread_local std::vector<int32_t> fronts;
  step_at.resize(n);
  at.resize(n);
  size_t steps = 0, total = 0;
  for (size_t i = 0; i < n; ++i) {
    step_at[i] = steps;
    at[i] = total;
    steps += (i == 0 ? 1 : options(i - 1)) * options(i);
    total += options(i);
  }
  // step[i][j * options(i) + k]: P(option k of slot i | option j of slot
  // i - 1), including the pairs inside option k; step[0] from the boundary.
  // A row (one j) is one ProbRow over the options' first syllables.
  step.resize(steps);
  for (size_t i = 0; i < n; ++i) {
    const size_t from = i == 0 ? 1 : options(i - 1);
    const size_t kk = options(i);
    fronts.resize(kk);
    inner.resize(kk);
    for (size_t k = 0; k < kk; ++k) {
      const Option& o = sentence[i].options[k];
      double in = 1;
      for (size_t s = 1; s < o.size(); ++s) in *= lm.Prob(o[s - 1], o[s]);
      inner[k] = in;
      fronts[k] = o.front();
    }
    for (size_t j = 0; j < from; ++j) {
      const int32_t prev =
          i == 0 ? SyllableLm::kBoundary : sentence[i - 1].options[j].back();
      double* const row = step.data() + step_at[i] + j * kk;
      lm.ProbRow(prev, fronts, row);
      for (size_t k = 0; k < kk; ++k) row[k] = row[k] * inner[k];
    }
  }
  alpha.assign(total, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const size_t from = i == 0 ? 1 : options(i - 1);
    const size_t kk = options(i);
    double* const a_i = alpha.data() + at[i];
    for (size_t j = 0; j < from; ++j) {
      const double a = i == 0 ? 1.0 : alpha[at[i - 1] + j];
      const double* const row = step.data() + step_at[i] + j * kk;
      for (size_t k = 0; k < kk; ++k) a_i[k] += a * row[k];
    }
    Normalize(a_i, kk);
  }
  beta.assign(total, 0.0);
  for (size_t i = n; i-- > 0;) {
    const size_t kk = options(i);
    double* const b_i = beta.data() + at[i];
    for (size_t j = 0; j < kk; ++j) {
      if (i + 1 == n) {
        b_i[j] = lm.Prob(sentence[i].options[j].back(), SyllableLm::kBoundary);
        continue;
      }
      const size_t kl = options(i + 1);
      const double* const row = step.data() + step_at[i + 1] + j * kl;
      const double* const b_next = beta.data() + at[i + 1];
      for (size_t k = 0; k < kl; ++k) b_i[j] += row[k] * b_next[k];
    }
    Normalize(b_i, kk);
  }
  std::vector<std::vector<double>> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i].resize(options(i));
    for (size_t k = 0; k < options(i); ++k) {
      out[i][k] = alpha[at[i] + k] * beta[at[i] + k];
    }
    Normalize(out[i]);
  }
  return out;
}

// Posteriors under the triple model: forward-backward over pairs of
// consecutive options, (option j of slot i - 1, option k of slot i), slot
// -1 being the sentence boundary. Work per slot: the product of the option
// counts of three slots, so it runs on few options (Decode prunes first).
std::vector<std::vector<double>> TriplePosteriors(
    const SyllableLm& lm, const std::vector<Slot>& sentence) {
  const int n = static_cast<int>(sentence.size());
  auto options = [&](int i) -> size_t {
    return i < 0 ? 1 : sentence[i].options.size();
  };
  // The last syllable of option j of slot i (the boundary before slot 0).
  auto last = [&](int i, size_t j) {
    return i < 0 ? SyllableLm::kBoundary : sentence[i].options[j].back();
  };
  // The syllable before the last one, over options h of slot i - 1 and j of
  // slot i (none before the boundary).
  auto before_last = [&](int i, size_t h, size_t j) {
    if (i >= 0 && sentence[i].options[j].size() >= 2) {
      const Option& o = sentence[i].options[j];
      return o[o.size() - 2];
    }
    if (i - 1 >= 0) return sentence[i - 1].options[h].back();
    return i - 1 == -1 ? SyllableLm::kBoundary : SyllableLm::kUnknown;
  };
  // step[i][(h * K(i-1) + j) * K(i) + k]: P(option k of slot i | options h
  // of slot i - 2 and j of slot i - 1), the triples inside k included.
  std::vector<std::vector<double>> step(n);
  for (int i = 0; i < n; ++i) {
    const size_t kh = options(i - 2), kj = options(i - 1), kk = options(i);
    step[i].resize(kh * kj * kk);
    for (size_t h = 0; h < kh; ++h) {
      for (size_t j = 0; j < kj; ++j) {
        const int32_t u = before_last(i - 1, h, j), v = last(i - 1, j);
        for (size_t k = 0; k < kk; ++k) {
          const Option& o = sentence[i].options[k];
          double p = lm.Prob(u, v, o[0]);
          for (size_t s = 1; s < o.size(); ++s) {
            p *= lm.Prob(s >= 2 ? o[s - 2] : v, o[s - 1], o[s]);
          }
          step[i][(h * kj + j) * kk + k] = p;
        }
      }
    }
  }
  // alpha[i][j * K(i) + k], beta likewise.
  std::vector<std::vector<double>> alpha(n), beta(n);
  for (int i = 0; i < n; ++i) {
    const size_t kh = options(i - 2), kj = options(i - 1), kk = options(i);
    alpha[i].assign(kj * kk, 0.0);
    for (size_t h = 0; h < kh; ++h) {
      for (size_t j = 0; j < kj; ++j) {
        const double a = i == 0 ? 1.0 : alpha[i - 1][h * kj + j];
        if (a == 0) continue;
        for (size_t k = 0; k < kk; ++k) {
          alpha[i][j * kk + k] += a * step[i][(h * kj + j) * kk + k];
        }
      }
    }
    Normalize(alpha[i]);
  }
  for (int i = n - 1; i >= 0; --i) {
    const size_t kj = options(i - 1), kk = options(i);
    beta[i].assign(kj * kk, 0.0);
    for (size_t j = 0; j < kj; ++j) {
      for (size_t k = 0; k < kk; ++k) {
        if (i == n - 1) {
          beta[i][j * kk + k] =
              lm.Prob(before_last(i, j, k), last(i, k), SyllableLm::kBoundary);
          continue;
        }
        const size_t kl = options(i + 1);
        double b = 0;
        for (size_t l = 0; l < kl; ++l) {
          b += step[i + 1][(j * kk + k) * kl + l] * beta[i + 1][k * kl + l];
        }
        beta[i][j * kk + k] = b;
      }
    }
    Normalize(beta[i]);
  }
  std::vector<std::vector<double>> out(n);
  for (int i = 0; i < n; ++i) {
    const size_t kj = options(i - 1), kk = options(i);
    out[i].assign(kk, 0.0);
    for (size_t j = 0; j < kj; ++j) {
      for (size_t k = 0; k < kk; ++k) {
        out[i][k] += alpha[i][j * kk + k] * beta[i][j * kk + k];
      }
    }
    Normalize(out[i]);
  }
  return out;
}

// Coarse to fine: options the pair model gives less than this posterior
// are dropped before the triple model decodes, and at most kMaxFine kept.
constexpr double kPrune = 1e-3;
constexpr size_t kMaxFine = 4;

}  // namespace

std::vector<Posterior> Decode(const SyllableLm& lm,
                              const std::vector<Slot>& sentence) {
  std::vector<std::vector<double>> p = PairPosteriors(lm, sentence);
  if (lm.triple_count() > 0) {
    // The surviving options of each slot, most probable first.
    std::vector<std::vector<size_t>> kept(sentence.size());
    std::vector<Slot> fine(sentence.size());
    for (size_t i = 0; i < sentence.size(); ++i) {
      std::vector<size_t>& order = kept[i];
      for (size_t k = 0; k < p[i].size(); ++k) order.push_back(k);
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return p[i][a] > p[i][b]; });
      size_t m = 1;
      while (m < order.size() && m < kMaxFine && p[i][order[m]] >= kPrune) {
        ++m;
      }
      order.resize(m);
      for (size_t k : order) fine[i].options.push_back(sentence[i].options[k]);
    }
    const std::vector<std::vector<double>> q = TriplePosteriors(lm, fine);
    for (size_t i = 0; i < sentence.size(); ++i) {
      std::fill(p[i].begin(), p[i].end(), 0.0);
      for (size_t m = 0; m < kept[i].size(); ++m) p[i][kept[i][m]] = q[i][m];
    }
  }
  std::vector<Posterior> out(sentence.size());
  for (size_t i = 0; i < sentence.size(); ++i) {
    for (size_t k = 1; k < p[i].size(); ++k) {
      if (p[i][k] > p[i][out[i].best]) out[i].best = static_cast<int>(k);
    }
    out[i].probability = p[i].empty() ? 0.0 : p[i][out[i].best];
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
  // The text of each option of each open slot (views into the model, the
  // teencode table or the post), made strings only for the Choice.
  std::vector<std::vector<std::string_view>> texts;
  // A word as written (its folded form when marks are stripped).
  auto written = [&](const Token& t) {
    return options.strip_marks ? text.folded_text(t) : text.text(t);
  };
  // Decodes the open slots of `sentence` in segments: every run of open
  // slots with the two slots on each side of it, which are fixed (one
  // option each) and so make the posteriors inside exact under pairs and
  // triples alike, whatever lies beyond them. An accented post with one
  // ambiguous abbreviation decodes five slots, not the whole sentence.
  std::vector<Slot> segment;
  auto decode = [&](size_t first, size_t last) {
    const size_t begin = first >= 2 ? first - 2 : 0;
    const size_t end = std::min(last + 3, sentence.size());
    segment.assign(std::make_move_iterator(sentence.begin() + begin),
                   std::make_move_iterator(sentence.begin() + end));
    const std::vector<Posterior> p = Decode(lm, segment);
    for (size_t s = begin; s < end; ++s) {
      if (!segment[s - begin].open) continue;
      const Posterior& post = p[s - begin];
      Choice& c = choices[where[s]];
      const std::vector<std::string_view>& options_text = texts[s];
      c.confidence = post.probability;
      c.restored = c.confidence >= options.min_confidence &&
                   options_text[post.best] != written(tokens[where[s]]);
      if (options.all_candidates) {
        c.best = post.best;
        c.candidates.assign(options_text.begin(), options_text.end());
      } else {
        c.best = 0;
        c.candidates.assign(1, std::string(options_text[post.best]));
      }
    }
  };
  auto flush = [&] {
    size_t first = 0, last = 0;
    bool any = false;
    for (size_t s = 0; s < sentence.size(); ++s) {
      if (!sentence[s].open) continue;
      if (any && s - last > 4) {
        decode(first, last);
        first = s;
      } else if (!any) {
        first = s;
      }
      any = true;
      last = s;
    }
    if (any) decode(first, last);
    sentence.clear();
    where.clear();
    texts.clear();
  };
  // Reading only abbreviations, a word more than two words from any is no
  // context for one (see decode above): it ends the chain instead.
  std::vector<bool> near;
  if (!options.read_bare_words) {
    near.assign(tokens.size(), false);
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (tokens[i].ambiguous_teencode < 0) continue;
      for (size_t k = i >= 2 ? i - 2 : 0; k <= i + 2 && k < tokens.size();
           ++k) {
        near[k] = true;
      }
    }
  }
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (!near.empty() && !near[i]) {
      flush();
      continue;
    }
    if (t.kind == TokenKind::kNumber) {  // context, never rewritten
      sentence.push_back({.options = {{lm.IdOf(SyllableLm::kNumber)}}});
      where.push_back(i);
      texts.emplace_back();
      continue;
    }
    if (t.kind != TokenKind::kWord) {
      flush();
      continue;
    }
    const std::string_view as_written = written(t);
    const bool written_bare = options.read_bare_words &&
                              !(t.steps & normalize::kStepTeencode) &&
                              as_written == text.folded_text(t) &&
                              (options.strip_marks || !t.accented);
    Slot slot;
    std::vector<std::string_view> slot_texts;  // per option
    if (t.ambiguous_teencode >= 0) {
      for (const std::string& e :
           teencode.entry(t.ambiguous_teencode).expansions) {
        Option o;
        for (absl::string_view w : absl::StrSplit(e, ' ')) {
          o.push_back(lm.IdOf(std::string_view(w.data(), w.size())));
        }
        slot.options.push_back(std::move(o));
        slot_texts.push_back(e);
      }
    }
    if (written_bare) {
      Slot bare =
          WordSlot(lm, text.folded_text(t), as_written, options.max_candidates);
      for (Option& o : bare.options) {
        if (o[0] == SyllableLm::kUnknown && !slot.options.empty()) continue;
        if (std::find(slot.options.begin(), slot.options.end(), o) !=
            slot.options.end()) {
          continue;
        }
        slot_texts.push_back(o[0] == SyllableLm::kUnknown
                                 ? as_written
                                 : std::string_view(lm.Syllable(o[0])));
        slot.options.push_back(std::move(o));
      }
    }
    if (written_bare) {
      slot.open = slot.options.size() > 1 ||
                  (slot.options.size() == 1 && slot_texts[0] != as_written);
    } else {
      slot.open = slot.options.size() > 1;  // an ambiguous teencode word
    }
    if (slot.options.empty()) slot.options.push_back({lm.IdOf(as_written)});
    choices[i].open = slot.open;
    if (!slot.open) slot_texts.clear();
    sentence.push_back(std::move(slot));
    where.push_back(i);
    texts.push_back(std::move(slot_texts));
    // A post without punctuation is decoded in pieces, which bounds the
    // memory of one pass (options squared per word).
    if (sentence.size() >= kMaxSentence) flush();
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
