#include "analyzers/lm/syllable_lm.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "analyzers/lm/gzip_file.h"

namespace vigil::lm {
namespace {

// Debian's Abseil has its own string_view type.
absl::string_view AV(std::string_view s) { return {s.data(), s.size()}; }

uint64_t PairKey(int32_t prev, int32_t next) {
  return static_cast<uint64_t>(static_cast<uint32_t>(prev)) << 32 |
         static_cast<uint32_t>(next);
}

constexpr int32_t kTripleIds = 1 << 21;

// The block of SyllableLm::pair_filter_ (of `blocks`, a power of two) and
// the four bits in it that stand for pair `key`. absl::Hash differs between
// processes, which is fine: the filter is built and read in one.
std::pair<size_t, uint64_t> PairFilterMask(uint64_t pair, size_t blocks) {
  const uint64_t key = absl::Hash<uint64_t>{}(pair);
  const uint64_t bits = (uint64_t{1} << ((key >> 40) & 63)) |
                        (uint64_t{1} << ((key >> 46) & 63)) |
                        (uint64_t{1} << ((key >> 52) & 63)) |
                        (uint64_t{1} << ((key >> 58) & 63));
  return {static_cast<size_t>(key & (blocks - 1)), bits};
}

uint64_t TripleKey(int32_t a, int32_t b, int32_t c) {
  return static_cast<uint64_t>(a) << 42 | static_cast<uint64_t>(b) << 21 |
         static_cast<uint64_t>(c);
}

}  // namespace

absl::StatusOr<std::shared_ptr<const SyllableLm>> SyllableLm::Load(
    const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileMaybeGzip(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

absl::StatusOr<std::shared_ptr<const SyllableLm>> SyllableLm::Parse(
    std::string_view text, std::string_view name) {
  std::shared_ptr<SyllableLm> lm(new SyllableLm());
  lm->syllables_.push_back("<s>");
  lm->counts_.push_back(0);
  bool header = false;
  int line_no = 0;
  std::vector<std::pair<uint64_t, int64_t>> pairs, triples;
  const absl::string_view file_name = AV(name);
  for (absl::string_view line : absl::StrSplit(AV(text), '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    auto error = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat(file_name, ":", line_no, ": ", why));
    };
    std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    if (!header) {
      if (f.size() != 2 || f[0] != "@lm" ||
          !absl::ConsumePrefix(&f[1], "discount=") ||
          !absl::SimpleAtod(f[1], &lm->discount_) || lm->discount_ < 0 ||
          lm->discount_ >= 1) {
        return error("expected '@lm<TAB>discount=D' with 0 <= D < 1");
      }
      header = true;
      continue;
    }
    int64_t count = 0;
    auto id = [&](absl::string_view s) {
      return s == "<s>" ? kBoundary
                        : lm->IdOf(std::string_view(s.data(), s.size()));
    };
    if (f[0] == "3") {
      if (f.size() != 5 || !absl::SimpleAtoi(f[4], &count) || count <= 0) {
        return error("expected 3<TAB>A<TAB>B<TAB>C<TAB>COUNT with COUNT > 0");
      }
      const int32_t a = id(f[1]), b = id(f[2]), c = id(f[3]);
      if (a == kUnknown || b == kUnknown || c == kUnknown) {
        return error("a triple's syllables must be listed before it");
      }
      if (a >= kTripleIds || b >= kTripleIds || c >= kTripleIds) {
        return error("too many syllables for a triple's key");
      }
      triples.emplace_back(TripleKey(a, b, c), count);
      continue;
    }
    int64_t prior = 0;
    const bool with_prior = f[0] == "1" && f.size() == 5;
    if ((f.size() != 4 && !with_prior) || !absl::SimpleAtoi(f[3], &count) ||
        count <= 0 ||
        (with_prior && (!absl::SimpleAtoi(f[4], &prior) || prior < 0))) {
      return error("expected KIND<TAB>A<TAB>B<TAB>COUNT with COUNT > 0");
    }
    if (f[0] == "1") {
      if (f[1].empty() || f[2].empty()) return error("empty syllable");
      const int32_t id = static_cast<int32_t>(lm->syllables_.size());
      const std::string syllable(f[1]);
      if (with_prior) {
        lm->priors_.resize(lm->syllables_.size() + 1, 0);
      }
      if (f[1] == "<s>") {
        lm->counts_[kBoundary] = count;
        if (with_prior) lm->priors_[kBoundary] = prior;
        continue;
      }
      if (with_prior) lm->priors_[id] = prior;
      if (!lm->ids_.emplace(syllable, id).second) {
        return error(absl::StrCat("syllable '", f[1], "' listed twice"));
      }
      lm->syllables_.push_back(syllable);
      lm->counts_.push_back(count);
      lm->candidates_[std::string(f[2])].push_back(id);
    } else if (f[0] == "2") {
      const int32_t a = id(f[1]), b = id(f[2]);
      if (a == kUnknown || b == kUnknown) {
        return error("a pair's syllables must be listed before it");
      }
      pairs.emplace_back(PairKey(a, b), count);
    } else {
      return error("KIND is 1 (a syllable), 2 (a pair) or 3 (a triple)");
    }
  }
  if (!header) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": no '@lm' line"));
  }
  // Every syllable, the boundary and one unknown word share P1's mass.
  const double v = static_cast<double>(lm->syllables_.size()) + 1;
  double n = 0;
  for (int64_t c : lm->counts_) n += static_cast<double>(c);
  lm->total_ = n + 0.1 * v;
  if (!lm->priors_.empty()) {
    lm->priors_.resize(lm->syllables_.size(), 0);
    double p = 0;
    for (int64_t c : lm->priors_) p += static_cast<double>(c);
    lm->prior_total_ = p + 0.1 * v;
  }
  // lambda(v) = 1 - sum over kept pairs of max(c - D, 0) / c(v).
  std::vector<double> kept(lm->syllables_.size(), 0.0);
  lm->pairs_.reserve(pairs.size());
  for (const auto& [key, count] : pairs) {
    lm->pairs_[key] += count;
  }
  size_t blocks = 1;
  while (blocks * 64 < lm->pairs_.size() * 9) blocks *= 2;
  lm->pair_filter_.assign(blocks, 0);
  for (const auto& [key, count] : lm->pairs_) {
    kept[key >> 32] +=
        std::max(static_cast<double>(count) - lm->discount_, 0.0);
    const auto [block, bits] = PairFilterMask(key, blocks);
    lm->pair_filter_[block] |= bits;
  }
  lm->backoff_.assign(lm->syllables_.size(), 1.0);
  for (size_t i = 0; i < kept.size(); ++i) {
    const double c = static_cast<double>(lm->counts_[i]);
    if (c > 0) lm->backoff_[i] = std::max(1.0 - kept[i] / c, 1e-6);
  }
  // lambda(u v) = 1 - sum over kept triples of max(c - D, 0) / c(u v).
  lm->triples_.reserve(triples.size());
  for (const auto& [key, count] : triples) lm->triples_[key] += count;
  for (const auto& [key, count] : lm->triples_) {
    const uint64_t history =
        PairKey(static_cast<int32_t>(key >> 42),
                static_cast<int32_t>((key >> 21) & (kTripleIds - 1)));
    if (!lm->pairs_.contains(history)) {
      return absl::InvalidArgumentError(
          absl::StrCat(file_name, ": a triple's first pair has no '2' line"));
    }
    lm->histories_[history].backoff +=
        std::max(static_cast<double>(count) - lm->discount_, 0.0);
  }
  for (auto& [key, history] : lm->histories_) {
    history.inverse_count = 1 / static_cast<double>(lm->pairs_.at(key));
    history.backoff =
        std::max(1.0 - history.backoff * history.inverse_count, 1e-6);
  }
  for (auto& [folded, ids] : lm->candidates_) {
    std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) {
      return lm->Unigram(a) > lm->Unigram(b);
    });
  }
  return std::shared_ptr<const SyllableLm>(std::move(lm));
}

int32_t SyllableLm::IdOf(std::string_view syllable) const {
  auto it = ids_.find(AV(syllable));
  return it == ids_.end() ? kUnknown : it->second;
}

std::span<const int32_t> SyllableLm::Candidates(std::string_view folded) const {
  auto it = candidates_.find(AV(folded));
  if (it == candidates_.end()) return {};
  return it->second;
}

double SyllableLm::Unigram(int32_t id) const {
  // The boundary as a next word: how often sentences end, like a syllable.
  const double c = id < 0 ? 0.0 : static_cast<double>(counts_[id]);
  if (priors_.empty() || id == kBoundary) return (c + 0.1) / total_;
  const double p = id < 0 ? 0.0 : static_cast<double>(priors_[id]);
  return 0.5 * ((c + 0.1) / total_ + (p + 0.1) / prior_total_);
}

double SyllableLm::Prob(int32_t prev, int32_t next) const {
  const double unigram = Unigram(next);
  if (prev < 0 || counts_[prev] == 0) return unigram;
  double p = backoff_[prev] * unigram;
  if (next >= 0) {
    auto it = pairs_.find(PairKey(prev, next));
    if (it != pairs_.end()) {
      p += std::max(static_cast<double>(it->second) - discount_, 0.0) /
           static_cast<double>(counts_[prev]);
    }
  }
  return p;
}

bool SyllableLm::MayHavePair(uint64_t key) const {
  const auto [block, bits] = PairFilterMask(key, pair_filter_.size());
  return (pair_filter_[block] & bits) == bits;
}

void SyllableLm::ProbRow(int32_t prev, std::span<const int32_t> nexts,
                         double* out) const {
  // Prob() for each next, its steps in the same order (so the same bits).
  // Pairs the filter rules out are not looked up; the hash slots of the
  // others are prefetched before the first is read.
  if (prev < 0 || counts_[prev] == 0) {
    for (size_t i = 0; i < nexts.size(); ++i) out[i] = Unigram(nexts[i]);
    return;
  }
  // Which nexts may follow prev: bit i for nexts[i] (rows are short; a
  // longer one looks up its tail without the filter).
  uint64_t may = 0;
  for (size_t i = 0; i < nexts.size(); ++i) {
    const int32_t next = nexts[i];
    if (next < 0) continue;
    const uint64_t key = PairKey(prev, next);
    if (i >= 64 || MayHavePair(key)) {
      pairs_.prefetch(key);
      if (i < 64) may |= uint64_t{1} << i;
    }
  }
  const double backoff = backoff_[prev];
  const double count = static_cast<double>(counts_[prev]);
  for (size_t i = 0; i < nexts.size(); ++i) {
    const int32_t next = nexts[i];
    double p = backoff * Unigram(next);
    if (next >= 0 && (i >= 64 || (may >> i & 1))) {
      auto it = pairs_.find(PairKey(prev, next));
      if (it != pairs_.end()) {
        p += std::max(static_cast<double>(it->second) - discount_, 0.0) / count;
      }
    }
    out[i] = p;
  }
}

double SyllableLm::Prob(int32_t prev2, int32_t prev, int32_t next) const {
  const double pair = Prob(prev, next);
  if (prev2 < 0 || prev < 0 || histories_.empty()) return pair;
  auto history = histories_.find(PairKey(prev2, prev));
  if (history == histories_.end()) return pair;
  double p = history->second.backoff * pair;
  if (next >= 0) {
    auto it = triples_.find(TripleKey(prev2, prev, next));
    if (it != triples_.end()) {
      p += std::max(static_cast<double>(it->second) - discount_, 0.0) *
           history->second.inverse_count;
    }
  }
  return p;
}

}  // namespace vigil::lm
