// LexiconFiles: a lexicon directory read into memory once.
//
// Loading a lexicon takes two passes over the same files: the teencode
// table builds the normalizer, and the normalizer checks every term. So the
// directory is read first, once: manifest.tsv is parsed, and the bytes of
// every file it names are kept, with one content hash over all of them.
// Both passes then work on these bytes. Example:
//
//   LexiconFiles files = LexiconFiles::Read("lexicons");
//   auto normalizer = files.NewNormalizer();
//   if (!normalizer.ok()) { ... }  // a bad teencode line
//   absl::StatusOr<Lexicon> lex = Lexicon::Load(files, **normalizer, &p);
//
// Problems found while reading (an unreadable file, a bad manifest line)
// are kept and reported by Lexicon::Load() with its own.
//
// Thread safety: immutable after Read(); share freely.
#ifndef VIGIL_ANALYZERS_MATCH_LEXICON_FILES_H_
#define VIGIL_ANALYZERS_MATCH_LEXICON_FILES_H_

#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "analyzers/match/category.h"
#include "analyzers/normalize/normalizer.h"

namespace vigil::match {

// Scoring settings of one category: score = logistic(bias + sum of the
// weights of the distinct terms hit); flagged when score >= threshold.
struct CategorySettings {
  double threshold = 0.5;
  double bias = -2.5;
  std::string file;  // relative to the lexicon directory
  // The learned lexicon of the category, if the manifest names one: its
  // score is logistic(learned_bias + sum of the weights of the distinct
  // learned terms present), flagged at learned_threshold.
  bool has_learned = false;
  std::string learned_file;
  double learned_threshold = 0.5;
  double learned_bias = 0;  // from the learned file's header
  // From the learned file's header (length_norm=L, 0 = off): the sum of the
  // learned weights is scaled by 1/sqrt(max(1, words / L)), so a long post
  // does not pile up weak evidence (LearnedScale()).
  double learned_length_norm = 0;
  double LearnedScale(uint32_t words) const {
    if (learned_length_norm <= 0 || words <= learned_length_norm) return 1;
    return 1 / std::sqrt(words / learned_length_norm);
  }
  // The category is flagged only on evidence at least this severe
  // (manifest: min_severity<TAB>category|*<TAB>mild|moderate|severe;
  // default moderate, so casual intensifiers alone never flag).
  Severity min_severity = Severity::kModerate;
};

// A problem found while loading: where ("file:line" or "file") and what.
struct LexiconProblem {
  std::string where;
  std::string message;
};

// What manifest.tsv says (lexicons/README.md documents its lines).
struct Manifest {
  std::string version;
  std::string teencode;  // file names, relative to the directory
  std::string allowlist;
  std::string common_words;
  // The syllable language model (lm/syllable_lm.h) that reads posts written
  // without diacritics, and the confidence a reading needs to be used
  // (manifest: language_model<TAB>file<TAB>min_confidence). Empty: none.
  std::string language_model;
  double restore_confidence = 0.9;
  std::array<CategorySettings, kNumCategories> categories;
  std::array<bool, kNumCategories> seen{};  // has a "category" line
};

class LexiconFiles {
 public:
  // Reads `dir`/manifest.tsv and every file it names: the category files,
  // their learned lexicons (unless `include_learned` is false: then the
  // manifest's learned lines are ignored, for curated-only scoring), the
  // allowlist and the teencode table. Never fails: what could not be read
  // or parsed is in problems().
  static LexiconFiles Read(const std::string& dir, bool include_learned = true);

  const std::string& dir() const { return dir_; }
  const Manifest& manifest() const { return manifest_; }
  const std::vector<LexiconProblem>& problems() const { return problems_; }

  // `dir`/`name` (`name` itself when absolute), for messages and for files
  // read later (common words).
  std::string Path(std::string_view name) const;
  // The bytes of the file the manifest names `name`, or nullptr when it was
  // not read (not named, unreadable, or a learned file left out).
  const std::string* Contents(std::string_view name) const;

  // FNV-1a over the manifest and every file read, each with its name: it
  // names exactly the bytes a lexicon was loaded from.
  uint64_t content_hash() const { return hash_; }

  // A normalizer with the directory's teencode table (none when the table
  // was not read: that is already one of problems()). Fails with
  // "path:line: what" for a bad teencode line, or when ICU data is missing.
  absl::StatusOr<std::unique_ptr<const normalize::Normalizer>> NewNormalizer(
      bool word_memo = true) const;

 private:
  std::string dir_;
  Manifest manifest_;
  std::vector<LexiconProblem> problems_;
  absl::flat_hash_map<std::string, std::string> contents_;
  uint64_t hash_ = 0;
};

}  // namespace vigil::match

#endif  // VIGIL_ANALYZERS_MATCH_LEXICON_FILES_H_
