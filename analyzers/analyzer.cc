#include "analyzers/analyzer.h"

namespace vigil {

absl::StatusOr<std::shared_ptr<const Analyzer>> Analyzer::Load(
    const std::string& dir, std::vector<match::LexiconProblem>* problems,
    const Options& options) {
  // One read of the directory: the teencode table builds the normalizer,
  // which then checks the terms of the same bytes.
  const match::LexiconFiles files =
      match::LexiconFiles::Read(dir, options.learned);
  auto normalizer = files.NewNormalizer();
  if (!normalizer.ok()) {
    if (problems != nullptr) {
      problems->insert(problems->end(), files.problems().begin(),
                       files.problems().end());
      problems->push_back({files.Path(files.manifest().teencode),
                           std::string(normalizer.status().message())});
    }
    return normalizer.status();
  }
  std::shared_ptr<Analyzer> analyzer(new Analyzer());
  analyzer->normalizer_ = *std::move(normalizer);
  absl::StatusOr<match::Lexicon> lexicon =
      match::Lexicon::Load(files, *analyzer->normalizer_, problems);
  if (!lexicon.ok()) return lexicon.status();
  analyzer->lexicon_ = *std::move(lexicon);
  auto matcher = match::Matcher::Create(
      analyzer->lexicon_, *analyzer->normalizer_,
      {.min_learned_hit_weight = score::kMinExplainedLearnedWeight});
  if (!matcher.ok()) return matcher.status();
  analyzer->matcher_ = *std::move(matcher);
  return std::shared_ptr<const Analyzer>(std::move(analyzer));
}

Analyzer::Result Analyzer::Analyze(std::string_view post) const {
  Result r;
  normalizer_->NormalizeInto(post, &r.normalized);
  match::LearnedSums learned_sums;
  std::vector<match::Hit> hits = matcher_->Match(r.normalized, &learned_sums);
  r.verdict = score::Score(lexicon_, std::move(hits), learned_sums);
  return r;
}

}  // namespace vigil
