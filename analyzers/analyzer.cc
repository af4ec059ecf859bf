#include "analyzers/analyzer.h"

#include "analyzers/lm/gzip_file.h"
#include "analyzers/lm/restorer.h"

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
  const match::Manifest& manifest = files.manifest();
  if (const std::string* bytes = files.Contents(manifest.language_model)) {
    const std::string path = files.Path(manifest.language_model);
    absl::StatusOr<std::string> text = lm::InflateMaybeGzip(*bytes, path);
    absl::StatusOr<std::shared_ptr<const lm::SyllableLm>> model =
        text.ok() ? lm::SyllableLm::Parse(*text, path)
                  : absl::StatusOr<std::shared_ptr<const lm::SyllableLm>>(
                        text.status());
    if (!model.ok()) {
      if (problems != nullptr) {
        problems->push_back({path, std::string(model.status().message())});
      }
      return model.status();
    }
    analyzer->lm_ = *std::move(model);
    analyzer->restore_confidence_ = manifest.restore_confidence;
  }
  auto matcher = match::Matcher::Create(
      analyzer->lexicon_, *analyzer->normalizer_,
      {.min_learned_hit_weight = score::kMinExplainedLearnedWeight});
  if (!matcher.ok()) return matcher.status();
  analyzer->matcher_ = *std::move(matcher);
  return std::shared_ptr<const Analyzer>(std::move(analyzer));
}

normalize::NormalizedText Analyzer::Read(std::string_view post) const {
  normalize::NormalizedText n;
  ReadInto(post, &n);
  return n;
}

bool Analyzer::NeedsReading(const normalize::NormalizedText& n) const {
  if (n.unaccented()) return true;
  for (const normalize::Token& t : n.tokens()) {
    if (t.ambiguous_teencode >= 0) return true;
  }
  return false;
}

std::vector<normalize::WordRewrite> Analyzer::Readings(
    const normalize::NormalizedText& text) const {
  // Bare words are read only in a post written without diacritics: where a
  // writer used them, a word left bare is most likely meant as written.
  const std::vector<lm::Choice> choices =
      lm::Restore(*lm_, normalizer_->teencode(), text,
                  {.min_confidence = restore_confidence_,
                   .read_bare_words = text.unaccented(),
                   .all_candidates = false});
  std::vector<normalize::WordRewrite> rewrites;
  for (size_t i = 0; i < choices.size(); ++i) {
    const lm::Choice& c = choices[i];
    // One syllable for one word, so that the view keeps the tokens of the
    // post as written (Matcher::Match's learned_view): an abbreviation
    // read as several ("ck": chuyển khoản) stays as written.
    if (!c.restored || c.candidates[c.best].find(' ') != std::string::npos) {
      continue;
    }
    const bool abbreviation = text.tokens()[i].ambiguous_teencode >= 0;
    rewrites.push_back({.token = static_cast<uint32_t>(i),
                        .canonical = c.candidates[c.best],
                        .steps = abbreviation ? normalize::kStepRestored |
                                                    normalize::kStepTeencode
                                              : normalize::kStepRestored});
  }
  return rewrites;
}

void Analyzer::ReadInto(std::string_view post,
                        normalize::NormalizedText* out) const {
  normalizer_->NormalizeInto(post, out);
  if (lm_ != nullptr && NeedsReading(*out)) {
    normalize::RewriteWords(Readings(*out), out);
  }
}

Analyzer::Result Analyzer::Analyze(std::string_view post) const {
  // The curated terms (and the allowlist) are matched on the language
  // model's reading, the learned n-grams on the post as written: they were
  // fitted on posts as written, and measured better so (README: "Reading
  // posts without diacritics").
  Result r;
  normalizer_->NormalizeInto(post, &r.normalized);
  thread_local normalize::NormalizedText written;
  bool read = false;
  if (lm_ != nullptr && NeedsReading(r.normalized)) {
    const std::vector<normalize::WordRewrite> rewrites = Readings(r.normalized);
    if (!rewrites.empty()) {
      written = r.normalized;
      normalize::RewriteWords(rewrites, &r.normalized);
      read = true;
    }
  }
  match::LearnedSums learned_sums;
  std::vector<match::Hit> hits =
      matcher_->Match(r.normalized, &learned_sums, read ? &written : nullptr);
  r.verdict = score::Score(lexicon_, std::move(hits), learned_sums);
  return r;
}

}  // namespace vigil
