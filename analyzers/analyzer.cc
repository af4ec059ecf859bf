#include "analyzers/analyzer.h"

namespace vigil {

absl::StatusOr<std::shared_ptr<const Analyzer>> Analyzer::Load(
    const std::string& dir, std::vector<match::LexiconProblem>* problems,
    const Options& options) {
  absl::StatusOr<std::string> teencode = match::Lexicon::TeencodePath(dir);
  if (!teencode.ok()) {
    if (problems != nullptr) {
      problems->push_back(
          {dir + "/manifest.tsv", std::string(teencode.status().message())});
    }
    return teencode.status();
  }
  auto normalizer = normalize::Normalizer::Create({.teencode_path = *teencode});
  if (!normalizer.ok()) {
    if (problems != nullptr) {
      problems->push_back(
          {*teencode, std::string(normalizer.status().message())});
    }
    return normalizer.status();
  }
  std::shared_ptr<Analyzer> analyzer(new Analyzer());
  analyzer->normalizer_ = *std::move(normalizer);
  absl::StatusOr<match::Lexicon> lexicon = match::Lexicon::Load(
      dir, *analyzer->normalizer_, problems, options.learned);
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
