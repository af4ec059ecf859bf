#include "analyzers/cluster/fingerprint.h"

#include <algorithm>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "analyzers/util/strings.h"

namespace vigil::cluster {
namespace {

using normalize::TokenKind;

constexpr std::string_view kNumber = "<number>";
constexpr std::string_view kLink = "<link>";
constexpr std::string_view kEmail = "<email>";
constexpr std::string_view kMention = "<mention>";

// FNV-1a, 64-bit: fixed across builds, unlike absl::Hash.
uint64_t Fnv1a(std::string_view bytes, uint64_t h = 0xcbf29ce484222325ull) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// The multiply-shift hash functions h_i(x) = (a_i * x + b_i) >> 32, a_i odd.
struct HashFamily {
  std::array<uint64_t, kHashes> a, b;
  HashFamily() {
    for (int i = 0; i < kHashes; ++i) {
      a[i] = SplitMix64(2 * i + 1) | 1;
      b[i] = SplitMix64(2 * i + 2);
    }
  }
};

const HashFamily& Family() {
  static const HashFamily* const family = new HashFamily();
  return *family;
}

}  // namespace

std::vector<FingerprintToken> FingerprintTokens(
    const normalize::NormalizedText& text) {
  std::vector<FingerprintToken> tokens;
  for (const normalize::Token& t : text.tokens()) {
    if (tokens.size() >= static_cast<size_t>(kMaxTokens)) break;
    FingerprintToken out;
    out.begin = t.begin;
    out.end = t.end;
    switch (t.kind) {
      case TokenKind::kWord:
      case TokenKind::kHashtag:
        out.text = text.folded_text(t);
        break;
      case TokenKind::kNumber:
        out.text = kNumber;
        out.masked = true;
        break;
      case TokenKind::kUrl:
        out.text = kLink;
        out.masked = true;
        break;
      case TokenKind::kEmail:
        out.text = kEmail;
        out.masked = true;
        break;
      case TokenKind::kMention:
        out.text = kMention;
        out.masked = true;
        break;
      case TokenKind::kEmoji:
      case TokenKind::kPunct:
        continue;
    }
    if (out.text.empty()) continue;
    tokens.push_back(out);
  }
  return tokens;
}

std::optional<Fingerprint> Fingerprint::Of(
    const normalize::NormalizedText& text) {
  const std::vector<FingerprintToken> tokens = FingerprintTokens(text);
  // Tokens as written: an expansion's syllables share their word's span.
  int written = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    written += i == 0 || tokens[i].begin != tokens[i - 1].begin;
  }
  if (written < kMinTokens) return std::nullopt;
  // The shingles' 64-bit hashes: each token, and each pair of neighbours.
  std::vector<uint64_t> shingles;
  shingles.reserve(2 * tokens.size());
  uint64_t previous = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const uint64_t h = Fnv1a(tokens[i].text);
    shingles.push_back(h);
    if (i > 0) shingles.push_back(SplitMix64(previous * 31 + h));
    previous = h;
  }
  std::sort(shingles.begin(), shingles.end());
  shingles.erase(std::unique(shingles.begin(), shingles.end()), shingles.end());
  Fingerprint f;
  f.minhash.fill(std::numeric_limits<uint32_t>::max());
  const HashFamily& family = Family();
  for (uint64_t s : shingles) {
    for (int i = 0; i < kHashes; ++i) {
      const uint32_t v =
          static_cast<uint32_t>((family.a[i] * s + family.b[i]) >> 32);
      f.minhash[i] = std::min(f.minhash[i], v);
    }
  }
  return f;
}

std::string Fingerprint::Serialize() const {
  std::string bytes(4 * kHashes, '\0');
  for (int i = 0; i < kHashes; ++i) {
    for (int j = 0; j < 4; ++j) {
      bytes[4 * i + j] = static_cast<char>((minhash[i] >> (8 * j)) & 0xff);
    }
  }
  return bytes;
}

absl::StatusOr<Fingerprint> Fingerprint::Parse(std::string_view bytes) {
  if (bytes.size() != 4 * kHashes) {
    return absl::InvalidArgumentError(StrCat("a fingerprint has ", 4 * kHashes,
                                             " bytes, not ", bytes.size()));
  }
  Fingerprint f;
  for (int i = 0; i < kHashes; ++i) {
    uint32_t v = 0;
    for (int j = 0; j < 4; ++j) {
      v |= uint32_t{static_cast<unsigned char>(bytes[4 * i + j])} << (8 * j);
    }
    f.minhash[i] = v;
  }
  return f;
}

double Similarity(const Fingerprint& a, const Fingerprint& b) {
  int same = 0;
  for (int i = 0; i < kHashes; ++i) same += a.minhash[i] == b.minhash[i];
  return static_cast<double>(same) / kHashes;
}

std::array<int64_t, kBands> BandKeys(const Fingerprint& f) {
  std::array<int64_t, kBands> keys;
  for (int band = 0; band < kBands; ++band) {
    uint64_t h = SplitMix64(static_cast<uint64_t>(band) + 1);
    for (int r = 0; r < kRows; ++r) {
      h = SplitMix64(h ^ f.minhash[band * kRows + r]);
    }
    keys[band] = static_cast<int64_t>(h);
  }
  return keys;
}

std::vector<std::vector<ByteSpan>> VaryingSpans(
    const std::vector<std::string_view>& posts,
    const std::vector<normalize::NormalizedText>& normalized) {
  const size_t n = std::min(posts.size(), normalized.size());
  std::vector<std::vector<ByteSpan>> spans(n);
  if (n < 2) return spans;
  std::vector<std::vector<FingerprintToken>> tokens(n);
  // In how many posts each word occurs, and which texts each masked kind
  // takes in how many posts.
  absl::flat_hash_map<std::string_view, int> word_posts;
  absl::flat_hash_map<std::string, int> masked_posts;  // kind + '\0' + text
  auto masked_key = [&](size_t post, const FingerprintToken& t) {
    std::string key(t.text);
    key += '\0';
    if (t.end <= posts[post].size() && t.begin <= t.end) {
      key += posts[post].substr(t.begin, t.end - t.begin);
    }
    return key;
  };
  for (size_t p = 0; p < n; ++p) {
    tokens[p] = FingerprintTokens(normalized[p]);
    absl::flat_hash_set<std::string_view> words;
    absl::flat_hash_set<std::string> masked;
    for (const FingerprintToken& t : tokens[p]) {
      if (t.masked) {
        masked.insert(masked_key(p, t));
      } else {
        words.insert(t.text);
      }
    }
    for (std::string_view w : words) ++word_posts[w];
    for (const std::string& m : masked) ++masked_posts[m];
  }
  for (size_t p = 0; p < n; ++p) {
    const double others = static_cast<double>(n - 1);
    for (const FingerprintToken& t : tokens[p]) {
      bool varies;
      if (t.masked) {
        varies = masked_posts[masked_key(p, t)] - 1 == 0;
      } else {
        varies = (word_posts[t.text] - 1) < others / 2;
      }
      if (!varies) continue;
      std::vector<ByteSpan>& out = spans[p];
      if (!out.empty() && out.back().end >= t.begin) {
        out.back().end = std::max(out.back().end, t.end);
      } else if (!out.empty() && t.begin > out.back().end &&
                 posts[p].substr(out.back().end, t.begin - out.back().end)
                         .find_first_not_of(' ') == std::string_view::npos) {
        out.back().end = t.end;  // only spaces between: one span
      } else {
        out.push_back({t.begin, t.end});
      }
    }
  }
  return spans;
}

}  // namespace vigil::cluster
