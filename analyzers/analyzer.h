// Analyzer: one immutable snapshot of everything that judges a post — the
// normalizer (with its teencode table), the lexicon, the compiled matcher
// and the scorer settings.
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
// Thread safety: immutable after Load(); Analyze() is const and thread-safe.
#ifndef VIGIL_ANALYZERS_ANALYZER_H_
#define VIGIL_ANALYZERS_ANALYZER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
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

  const std::string& version() const { return lexicon_.version(); }
  const match::Lexicon& lexicon() const { return lexicon_; }
  const normalize::Normalizer& normalizer() const { return *normalizer_; }
  const match::Matcher& matcher() const { return *matcher_; }

 private:
  Analyzer() = default;
  std::unique_ptr<const normalize::Normalizer> normalizer_;
  match::Lexicon lexicon_;
  std::unique_ptr<const match::Matcher> matcher_;
};

}  // namespace vigil

#endif  // VIGIL_ANALYZERS_ANALYZER_H_
