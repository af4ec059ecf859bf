// Analyzer: one immutable snapshot of everything that judges a post — the
// normalizer (with its teencode table), the syllable language model, the
// lexicon, the compiled matcher and the scorer settings.
//
//   absl::StatusOr<std::shared_ptr<const Analyzer>> a =
//       Analyzer::Load("lexicons");
//   Analyzer::Result r = (*a)->Analyze("Thằng ngu vcl");
//   r.verdict.flagged;            // true
//   r.verdict.hits[0].begin;      // byte span in the post
//   (*a)->version();              // lexicon version + content hash
//
// Requests share a snapshot through std::shared_ptr<const Analyzer>; a
// reload builds a new one and swaps the pointer. A lexicon that fails to
// load yields an error naming file:line and no snapshot.
//
// A post written without diacritics is read by the language model first
// (lm/restorer.h, when the manifest names one): each word it reads with
// confidence carries the syllable it chose ("dit me may" → "địt mẹ mày",
// step restored_diacritics), so curated terms written only with their
// diacritics, and allowlisted phrases, apply to it; the folded view, which
// fold-allowed terms match, is unchanged, and the learned n-grams are
// looked up in the post as written, the view they were fitted on.
// Ambiguous abbreviations read as one syllable ("m": mày or mình) are read
// the same way in every post.
//
// Thread safety: immutable after Load(); Analyze() is const and thread-safe.
#ifndef VIGIL_ANALYZERS_ANALYZER_H_
#define VIGIL_ANALYZERS_ANALYZER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "analyzers/lm/syllable_lm.h"
#include "analyzers/match/lexicon.h"
#include "analyzers/match/matcher.h"
#include "analyzers/normalize/normalizer.h"
#include "analyzers/score/scorer.h"

namespace vigil {

struct AnalyzerOptions {
  // Load the manifest's learned lexicons too (false: curated only, for
  // comparison and for `vigil train`, which learns on top of them).
  bool learned = true;
};

class Analyzer {
 public:
  struct Result {
    normalize::NormalizedText normalized;
    score::Verdict verdict;
  };

  using Options = AnalyzerOptions;

  // Loads the lexicon directory `dir` (manifest.tsv and the files it names).
  // Every problem found is appended to `problems` when not null; the status
  // names the first (file:line) and how many there were.
  static absl::StatusOr<std::shared_ptr<const Analyzer>> Load(
      const std::string& dir,
      std::vector<match::LexiconProblem>* problems = nullptr,
      const Options& options = {});

  // Normalizes, matches and scores one post (any bytes). Thread-safe.
  Result Analyze(std::string_view post) const;

  // The view of `post` that Analyze() matches curated terms on: normalized,
  // then read by the language model (unchanged when there is none); the
  // learned n-grams are matched on the post as written. Thread-safe.
  normalize::NormalizedText Read(std::string_view post) const;
  // As Read(), into `*out` (reusing its buffers); `out` must not be null.
  void ReadInto(std::string_view post, normalize::NormalizedText* out) const;

  const std::string& version() const { return lexicon_.version(); }
  const match::Lexicon& lexicon() const { return lexicon_; }
  const normalize::Normalizer& normalizer() const { return *normalizer_; }
  const match::Matcher& matcher() const { return *matcher_; }
  // The language model, or nullptr when the manifest names none.
  const lm::SyllableLm* language_model() const { return lm_.get(); }

 private:
  Analyzer() = default;
  // Whether the language model has anything to read in `n`: a post written
  // without diacritics, or an ambiguous abbreviation.
  bool NeedsReading(const normalize::NormalizedText& n) const;
  // The words of `text` the language model reads with confidence, as
  // rewrites for normalize::RewriteWords (empty when none).
  std::vector<normalize::WordRewrite> Readings(
      const normalize::NormalizedText& text) const;
  std::unique_ptr<const normalize::Normalizer> normalizer_;
  std::shared_ptr<const lm::SyllableLm> lm_;
  double restore_confidence_ = 0.9;
  match::Lexicon lexicon_;
  std::unique_ptr<const match::Matcher> matcher_;
};

}  // namespace vigil

#endif  // VIGIL_ANALYZERS_ANALYZER_H_
