// Near-duplicate fingerprints of posts, for grouping the flagged posts of one
// campaign (the same scam with another phone number, the same insult without
// diacritics or in teencode).
//
//   normalize::NormalizedText n = analyzer.Read(post);
//   std::optional<cluster::Fingerprint> f = cluster::Fingerprint::Of(n);
//   if (f) {
//     cluster::BandKeys(*f);               // LSH buckets to look up
//     cluster::Similarity(*f, other);      // estimated Jaccard, 0..1
//   }
//
// Approach. A post is read as the tokens of its normalized, folded view
// (FingerprintTokens): every word by its folded text (teencode already
// expanded, diacritics and case gone), numbers, links, e-mail addresses and
// mentions each by a placeholder, so that a phone number, an amount or a
// link that changes between copies changes nothing; emoji and punctuation
// are dropped. Its shingles are those tokens and every pair of neighbours
// (single tokens keep word-order edits close, pairs keep unrelated posts
// that share common words apart). MinHash turns the set of shingles into
// kHashes minimums of independent hash functions; two posts' signatures
// agree in a position with probability equal to the Jaccard similarity of
// their shingle sets, so the share of agreeing positions estimates it
// (Similarity). Locality-sensitive hashing groups the positions into kBands
// bands of kRows: posts agreeing in a whole band share its key, which finds
// candidates without comparing against every stored post (a pair with
// similarity s shares a band with probability 1 - (1 - s^kRows)^kBands:
// 0.64 at s = 0.5, 0.98 at s = 0.7). Candidates are then kept or dropped on
// their estimated similarity (the store's threshold).
//
// Every hash is fixed (FNV-1a and multiply-shift with constant seeds), so
// signatures stored by one build or instance compare with another's.
//
// Thread safety: pure functions and plain values.
#ifndef VIGIL_ANALYZERS_CLUSTER_FINGERPRINT_H_
#define VIGIL_ANALYZERS_CLUSTER_FINGERPRINT_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "analyzers/normalize/normalizer.h"

namespace vigil::cluster {

inline constexpr int kHashes = 64;
inline constexpr int kBands = 16;
inline constexpr int kRows = kHashes / kBands;
static_assert(kBands * kRows == kHashes);

// Posts with fewer tokens (as written: "cmm" is one, though it reads as
// "con mẹ mày") have no fingerprint: "đồ ngu vl" written by a hundred
// people is a crowd, not a campaign, and such short texts share most of
// their shingles by chance.
inline constexpr int kMinTokens = 5;
// Only the first tokens of a very long post count.
inline constexpr int kMaxTokens = 2000;

// One token of the view fingerprints are taken of.
struct FingerprintToken {
  // The folded word, or a placeholder ("<number>", "<link>", "<email>",
  // "<mention>") for the masked kinds.
  std::string_view text;
  bool masked = false;
  // Bytes in the original post.
  uint32_t begin = 0, end = 0;
};

// The tokens of `text` that fingerprints are taken of, in order. Views into
// `text` (or static placeholders): valid while `text` lives.
std::vector<FingerprintToken> FingerprintTokens(
    const normalize::NormalizedText& text);

struct Fingerprint {
  std::array<uint32_t, kHashes> minhash{};

  // The fingerprint of a normalized post; nullopt when it has fewer than
  // kMinTokens tokens.
  static std::optional<Fingerprint> Of(const normalize::NormalizedText& text);

  // kHashes little-endian 32-bit values (4 * kHashes bytes), as stored.
  std::string Serialize() const;
  // INVALID_ARGUMENT unless `bytes` is what Serialize() writes.
  static absl::StatusOr<Fingerprint> Parse(std::string_view bytes);

  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

// The estimated Jaccard similarity of the two posts' shingle sets: the share
// of positions where their minimums agree.
double Similarity(const Fingerprint& a, const Fingerprint& b);

// The key of each band (band index mixed in, so equal rows in different
// bands differ), as signed 64-bit values for SQL columns.
std::array<int64_t, kBands> BandKeys(const Fingerprint& f);

// For each of several posts of one group (at least two), the byte spans in
// that post of the tokens that vary: words found in fewer than half of the
// other posts, and masked tokens (numbers, links, ...) whose text differs
// from every other post's at that kind. Spans are ascending and merged
// where adjacent tokens both vary. With fewer than two posts, nothing
// varies.
struct ByteSpan {
  uint32_t begin = 0, end = 0;
  friend bool operator==(const ByteSpan&, const ByteSpan&) = default;
};
std::vector<std::vector<ByteSpan>> VaryingSpans(
    const std::vector<std::string_view>& posts,
    const std::vector<normalize::NormalizedText>& normalized);

}  // namespace vigil::cluster

#endif  // VIGIL_ANALYZERS_CLUSTER_FINGERPRINT_H_
