// Matcher: finds lexicon terms in a normalized post, at syllable boundaries,
// and reports each hit with its span in the original post.
//
//   auto matcher = Matcher::Create(lexicon, normalizer);  // compile once
//   if (!matcher.ok()) return matcher.status();
//   std::vector<Hit> hits = (*matcher)->Match(normalizer.Normalize(post));
//
// Thread safety: immutable after Create(); Match() is const and may run on
// any number of threads.
#ifndef VIGIL_ANALYZERS_MATCH_MATCHER_H_
#define VIGIL_ANALYZERS_MATCH_MATCHER_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "analyzers/match/lexicon.h"
#include "analyzers/normalize/normalizer.h"

namespace re2 {
class RE2;
class Set;
}  // namespace re2

namespace vigil::match {

// How a hit was found, beyond the normalizer's own steps (Token::steps).
// Hit::via holds both: these bits must stay clear of normalize::Step's.
enum HitVia : uint32_t {
  kViaFolded = 1u << 16,  // on the folded view (diacritics ignored)
  kViaJoined = 1u << 17,  // letters split by separators joined ("đ.m")
  kViaMasked = 1u << 18,  // a word with letters hidden by stars ("ch*")
};
static_assert(((kViaFolded | kViaJoined | kViaMasked) & normalize::kAllSteps) ==
                  0,
              "HitVia bits overlap normalize::Step bits");

// Names of the normalization steps that made a hit possible: the evasion
// steps among normalize::StepNames ("format_removed", "confusable",
// "repeated_letters", "leetspeak", "teencode", "eth", "letters_joined",
// "restored_diacritics", in that order), then "folded", "joined_separators" and
// "masked_letters". Steps that are not evasions (case folding, NFC, tone
// placement) are left out.
std::vector<std::string_view> ViaNames(uint32_t steps);

// Sums of the weights of the distinct learned n-grams present, per category:
// all of them, and those not inside a mild curated hit (mild evidence, such
// as the n-grams of the intensifier "vãi lồn" written "vl", counts only
// in `all`).
struct LearnedSums {
  std::array<double, kNumCategories> all{};
  std::array<double, kNumCategories> not_mild{};
  uint32_t words = 0;  // NormalizedText::words(), for the length norm
};

struct Hit {
  int32_t term = -1;                         // index into Lexicon::terms()
  uint32_t begin = 0, end = 0;               // bytes in the original post
  uint32_t begin_char = 0, end_char = 0;     // code points in the original
  uint32_t first_token = 0, last_token = 0;  // token range (inclusive)
  uint32_t via = 0;  // normalize::Step bits of the tokens, plus HitVia
  // The term's severity; a learned n-gram inside a mild curated hit is mild.
  Severity severity = Severity::kModerate;
};

class Matcher {
 public:
  struct Options {
    // False: every regex term runs on every post (slow), for the test that
    // checks the prefilter never loses a hit.
    bool prefilter = true;
    // Learned n-grams of at least this weight are also returned as hits;
    // lighter ones only add to the sums. Which hits explain a flag is the
    // scorer's rule: the analyzer passes score::kMinExplainedLearnedWeight.
    double min_learned_hit_weight = 0.0;
  };

  // Compiles the lexicon's terms and allowlist. The lexicon and the
  // normalizer must outlive the matcher; the normalizer must be the one the
  // lexicon was loaded with (regex phrases and joined letters are
  // normalized with it). Fails on a regex term RE2 cannot compile.
  static absl::StatusOr<std::unique_ptr<const Matcher>> Create(
      const Lexicon& lexicon, const normalize::Normalizer& normalizer,
      const Options& options);
  static absl::StatusOr<std::unique_ptr<const Matcher>> Create(
      const Lexicon& lexicon, const normalize::Normalizer& normalizer) {
    return Create(lexicon, normalizer, Options());
  }

  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // All hits in `text`, in order of position, at most one per term and token
  // range, with hits inside allowlisted phrases removed.
  //
  // Syllable terms match whole tokens: the canonical view always; the folded
  // view for fold-allowed terms, on tokens written without diacritics (or
  // any token of an unaccented post) — so "du lịch" never hits "đụ" and
  // "dit me" hits "địt mẹ" only if that term may fold. Regex terms match the
  // canonical view (and the folded one when fold-allowed) and count only when
  // the match starts and ends on token boundaries. Single letters split by
  // '.', '-', '_', '*' or spaces ("đ.m", "d m") are also tried joined.
  //
  // Learned n-grams (lexicons trained by `vigil train`) are matched when
  // `learned_sums` is not null: each distinct one outside allowlisted
  // phrases adds its weight to its category's sums there (see LearnedSums),
  // and those of weight >= Options::min_learned_hit_weight are also
  // returned as hits (the scorer decides which explain a flag).
  //
  // `learned_view`, when not null, is the view the learned n-grams are
  // looked up in instead of `text`: the same post with the same tokens
  // (count and spans), as written where `text` carries the language
  // model's reading (Analyzer::Analyze). The learned lexicons were fitted
  // on posts as written.
  std::vector<Hit> Match(
      const normalize::NormalizedText& text,
      LearnedSums* learned_sums = nullptr,
      const normalize::NormalizedText* learned_view = nullptr) const;

 private:
  struct Impl;
  explicit Matcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::match

#endif  // VIGIL_ANALYZERS_MATCH_MATCHER_H_
