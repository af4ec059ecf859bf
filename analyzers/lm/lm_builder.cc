#include "analyzers/lm/lm_builder.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "analyzers/lm/syllable_lm.h"

namespace vigil::lm {

using normalize::NormalizedText;
using normalize::Token;
using normalize::TokenKind;

LmBuilder::LmBuilder(const normalize::Normalizer& normalizer)
    : normalizer_(normalizer) {}

int32_t LmBuilder::Intern(std::string_view syllable, std::string_view folded) {
  auto [it, inserted] = ids_.try_emplace(
      std::string(syllable), static_cast<int32_t>(syllables_.size()));
  if (inserted) {
    syllables_.emplace_back(syllable);
    folded_.emplace_back(folded);
    counts_.push_back(0);
  }
  return it->second;
}

void LmBuilder::AddPost(std::string_view post, int weight) {
  const NormalizedText n = normalizer_.Normalize(post);
  ++posts_;
  if (n.unaccented()) {
    ++skipped_unaccented_;
    return;
  }
  int32_t prev2 = -1;  // before the sentence: none
  int32_t prev = 0;    // the sentence boundary
  auto add_pair = [&](int32_t a, int32_t b) {
    pairs_[static_cast<uint64_t>(a) << 32 | static_cast<uint32_t>(b)] += weight;
    // Ids past 21 bits (rare words of a huge corpus) count in no triple.
    constexpr int32_t kMaxTripleId = 1 << 21;
    if (prev2 >= 0 && a < kMaxTripleId && b < kMaxTripleId &&
        prev2 < kMaxTripleId) {
      triples_[static_cast<uint64_t>(prev2) << 42 |
               static_cast<uint64_t>(a) << 21 | static_cast<uint64_t>(b)] +=
          weight;
    }
    prev2 = b == 0 ? -1 : a;
  };
  for (const Token& t : n.tokens()) {
    if (t.kind == TokenKind::kNumber) {
      const int32_t id = Intern(SyllableLm::kNumber, SyllableLm::kNumber);
      counts_[id] += weight;
      add_pair(prev, id);
      prev = id;
      continue;
    }
    if (t.kind != TokenKind::kWord) {
      if (prev != 0) {
        add_pair(prev, 0);
        counts_[0] += weight;
      }
      prev = 0;
      continue;
    }
    const int32_t id = Intern(n.text(t), n.folded_text(t));
    counts_[id] += weight;
    add_pair(prev, id);
    prev = id;
  }
  if (prev != 0) {
    add_pair(prev, 0);
    counts_[0] += weight;
  }
}

void LmBuilder::AddPrior(std::string_view word, int64_t count) {
  const NormalizedText n = normalizer_.Normalize(word);
  if (n.tokens().size() != 1 || n.tokens()[0].kind != TokenKind::kWord) {
    return;
  }
  prior_[std::string(n.text(n.tokens()[0]))] += count;
}

namespace {

// A word the model may offer as a candidate: its folded form is ASCII
// letters, and it has no stray combining marks ("anh" + U+0300 from a
// badly composed source), which encode as 0xCC/0xCD lead bytes.
bool IsCleanWord(const std::string& word, const std::string& folded) {
  if (word == SyllableLm::kNumber) return true;
  for (char c : folded) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  for (char c : word) {
    const unsigned char b = static_cast<unsigned char>(c);
    if (b == 0xCC || b == 0xCD) return false;
  }
  return !folded.empty();
}

}  // namespace

std::string LmBuilder::Write(const Limits& limits,
                             std::string_view header) const {
  std::vector<int32_t> kept;
  for (size_t i = 1; i < syllables_.size(); ++i) {
    if (counts_[i] >= limits.min_syllable &&
        IsCleanWord(syllables_[i], folded_[i])) {
      kept.push_back(i);
    }
  }
  auto by_count = [&](int32_t a, int32_t b) {
    return std::tie(counts_[b], syllables_[a]) <
           std::tie(counts_[a], syllables_[b]);
  };
  std::sort(kept.begin(), kept.end(), by_count);
  std::vector<bool> keep(syllables_.size(), false);
  keep[0] = true;
  for (int32_t id : kept) keep[id] = true;
  std::string out(header);
  absl::StrAppend(&out, "@lm\tdiscount=0.75\n");
  absl::StrAppend(&out, "1\t<s>\t<s>\t", std::max<int64_t>(counts_[0], 1),
                  "\n");
  for (int32_t id : kept) {
    absl::StrAppend(&out, "1\t", syllables_[id], "\t", folded_[id], "\t",
                    counts_[id]);
    if (!prior_.empty()) {
      auto it = prior_.find(syllables_[id]);
      absl::StrAppend(&out, "\t", it == prior_.end() ? 0 : it->second);
    }
    absl::StrAppend(&out, "\n");
  }
  std::vector<std::tuple<int64_t, const std::string*, const std::string*>>
      pairs;
  for (const auto& [key, count] : pairs_) {
    const int32_t a = static_cast<int32_t>(key >> 32);
    const int32_t b = static_cast<int32_t>(key & 0xffffffffu);
    if (count < limits.min_pair || !keep[a] || !keep[b]) continue;
    pairs.emplace_back(-count, &syllables_[a], &syllables_[b]);
  }
  std::sort(pairs.begin(), pairs.end(), [](const auto& x, const auto& y) {
    return std::tie(std::get<0>(x), *std::get<1>(x), *std::get<2>(x)) <
           std::tie(std::get<0>(y), *std::get<1>(y), *std::get<2>(y));
  });
  for (const auto& [count, a, b] : pairs) {
    absl::StrAppend(&out, "2\t", *a, "\t", *b, "\t", -count, "\n");
  }
  if (limits.min_triple <= 0) return out;
  // Triples of kept syllables whose first pair (their history) is kept.
  std::vector<std::tuple<int64_t, const std::string*, const std::string*,
                         const std::string*>>
      triples;
  constexpr uint64_t kMask = (uint64_t{1} << 21) - 1;
  for (const auto& [key, count] : triples_) {
    const auto a = static_cast<int32_t>(key >> 42);
    const auto b = static_cast<int32_t>((key >> 21) & kMask);
    const auto c = static_cast<int32_t>(key & kMask);
    if (count < limits.min_triple || !keep[a] || !keep[b] || !keep[c]) {
      continue;
    }
    auto history =
        pairs_.find(static_cast<uint64_t>(a) << 32 | static_cast<uint32_t>(b));
    if (history == pairs_.end() || history->second < limits.min_pair) {
      continue;
    }
    triples.emplace_back(-count, &syllables_[a], &syllables_[b],
                         &syllables_[c]);
  }
  std::sort(triples.begin(), triples.end(), [](const auto& x, const auto& y) {
    return std::tie(std::get<0>(x), *std::get<1>(x), *std::get<2>(x),
                    *std::get<3>(x)) < std::tie(std::get<0>(y), *std::get<1>(y),
                                                *std::get<2>(y),
                                                *std::get<3>(y));
  });
  for (const auto& [count, a, b, c] : triples) {
    absl::StrAppend(&out, "3\t", *a, "\t", *b, "\t", *c, "\t", -count, "\n");
  }
  return out;
}

}  // namespace vigil::lm
