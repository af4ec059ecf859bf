// Fuzzes the normalizer with arbitrary bytes and checks its invariants:
// every token maps to a non-empty, in-bounds span of the input; spans
// increase, except that the parts of one expanded word (teencode "vcl" ->
// "vãi cả lồn") share their word's span; and the per-thread word memo
// changes nothing. The near-duplicate fingerprint of the same text parses
// back from its bytes, and the varying spans it marks between the input and
// its halves lie in order inside each text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "analyzers/cluster/fingerprint.h"
#include "analyzers/normalize/normalizer.h"

namespace {

const vigil::normalize::Normalizer& Get(bool memo) {
  static const vigil::normalize::Normalizer* normalizers[2] = {};
  const vigil::normalize::Normalizer*& n = normalizers[memo];
  if (n == nullptr) {
    vigil::normalize::Normalizer::Options options;
    options.teencode_path = VIGIL_SOURCE_DIR "/lexicons/teencode.tsv";
    options.word_memo = memo;
    auto created = vigil::normalize::Normalizer::Create(options);
    if (!created.ok()) std::abort();
    n = created->release();
  }
  return *n;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto text = Get(true).Normalize(input);
  uint32_t previous_begin = 0, previous_end = 0;
  for (const auto& token : text.tokens()) {
    Check(token.begin < token.end, "empty token");
    Check(token.end <= size, "token past the input");
    Check(token.begin_char < token.end_char, "empty character span");
    if (token.part > 0) {
      Check(token.begin == previous_begin && token.end == previous_end,
            "a part outside its word's span");
    } else {
      Check(token.begin >= previous_end, "tokens overlap or go back");
    }
    previous_begin = token.begin;
    previous_end = token.end;
  }
  const auto plain = Get(false).Normalize(input);
  Check(plain.canonical() == text.canonical(),
        "memo changed the canonical view");
  Check(plain.folded() == text.folded(), "memo changed the folded view");

  if (auto f = vigil::cluster::Fingerprint::Of(text)) {
    auto parsed = vigil::cluster::Fingerprint::Parse(f->Serialize());
    Check(parsed.ok() && *parsed == *f, "fingerprint does not parse back");
    Check(vigil::cluster::Similarity(*f, *f) == 1.0, "not like itself");
  }
  const std::vector<std::string_view> posts = {input, input.substr(0, size / 2),
                                               input.substr(size / 2)};
  std::vector<vigil::normalize::NormalizedText> normalized;
  for (std::string_view p : posts) normalized.push_back(Get(true).Normalize(p));
  const auto spans = vigil::cluster::VaryingSpans(posts, normalized);
  Check(spans.size() == posts.size(), "a span list per post");
  for (size_t p = 0; p < spans.size(); ++p) {
    uint32_t end = 0;
    for (const auto& span : spans[p]) {
      Check(span.begin < span.end && span.end <= posts[p].size(),
            "varying span out of its post");
      Check(span.begin >= end, "varying spans overlap or go back");
      end = span.end;
    }
  }
  return 0;
}
