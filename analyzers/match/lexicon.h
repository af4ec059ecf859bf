// Lexicon: the parsed, validated contents of a lexicon directory.
//
// A directory holds a manifest (manifest.tsv) naming a version, the teencode
// table, the allowlist and one file per category with its threshold and
// bias; lexicons/README.md documents every format. Example:
//
//   LexiconFiles files = LexiconFiles::Read("lexicons");
//   auto normalizer = files.NewNormalizer();  // its teencode table
//   std::vector<LexiconProblem> problems;
//   absl::StatusOr<Lexicon> lex =
//       Lexicon::Load(files, **normalizer, &problems);
//   if (!lex.ok()) { for (auto& p : problems) print(p.where, p.message); }
//
// Loading checks every line and reports each problem as file:line; a
// lexicon with any problem is not returned. Terms must be in the canonical
// form the normalizer produces (so they can match at all); regex terms must
// compile with RE2.
//
// Thread safety: immutable after Load(); share freely.
#ifndef VIGIL_ANALYZERS_MATCH_LEXICON_H_
#define VIGIL_ANALYZERS_MATCH_LEXICON_H_

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "analyzers/match/category.h"
#include "analyzers/match/lexicon_files.h"
#include "analyzers/normalize/normalizer.h"

namespace vigil::match {

// Where an entry was read: its file and 1-based line, printed "file:line".
// The file's name is shared by all its entries (a learned lexicon has tens
// of thousands).
struct SourceLine {
  std::shared_ptr<const std::string> file;
  int line = 0;
  std::string ToString() const;
  friend std::ostream& operator<<(std::ostream& out, const SourceLine& s) {
    return out << s.ToString();
  }
};

// One entry of a category file.
struct Term {
  Category category = Category::kProfanity;
  std::string text;  // canonical syllables, or the RE2 pattern for regexes
  bool is_regex = false;
  // A regex that is not a finite set of phrases ("ai cần ([^ ]+ ){0,12}ib":
  // wildcards, repetition): a frame around other words rather than a
  // wording of its own, so it does not swallow other categories' hits
  // (score::DropNested).
  bool frame = false;
  // From a learned lexicon (`vigil train`): weights may be negative, and
  // the term scores through the category's learned model, not its curated
  // sum.
  bool learned = false;
  double weight = 0;
  bool fold = false;  // may match the folded view (text without diacritics)
  // How harmful the term is as evidence; learned n-grams are kModerate (the
  // matcher counts them as kMild where they lie inside a mild curated hit).
  Severity severity = Severity::kModerate;
  std::string note;
  SourceLine where;
  // For curated syllable terms: the canonical and folded syllables. Learned
  // terms keep neither, to save memory (some 10^5 n-grams, matched in the
  // canonical view only): their syllables are `text` split at its spaces.
  std::vector<std::string> syllables;
  std::vector<std::string> folded;
};

// How many syllables a syllable term has (0 for a regex term).
inline size_t SyllableCount(const Term& term) {
  if (!term.learned) return term.syllables.size();
  return static_cast<size_t>(
             std::count(term.text.begin(), term.text.end(), ' ')) +
         1;
}

// A harmless phrase that contains terms; hits inside it are suppressed for
// the categories in `categories` (bit i = Category i).
struct AllowPhrase {
  std::string text;
  uint32_t categories = 0;
  std::string note;
  std::string where;
  std::vector<std::string> syllables;
  std::vector<std::string> folded;
};

class Lexicon {
 public:
  // Parses and checks the lexicon in `files`, checking terms against
  // `normalizer`, which must have the directory's teencode table
  // (files.NewNormalizer()). Every problem, those of reading included, is
  // appended to `problems` when it is not null; the status names the first
  // one and how many there were.
  static absl::StatusOr<Lexicon> Load(const LexiconFiles& files,
                                      const normalize::Normalizer& normalizer,
                                      std::vector<LexiconProblem>* problems);

  // Reads `dir` (LexiconFiles::Read) and loads it. With `include_learned`
  // false, the manifest's learned lexicons are ignored (curated-only
  // scoring, for comparison).
  static absl::StatusOr<Lexicon> Load(const std::string& dir,
                                      const normalize::Normalizer& normalizer,
                                      std::vector<LexiconProblem>* problems,
                                      bool include_learned = true);

  // Everything Load() checks, without stopping at problems, plus the
  // fold-allowed terms whose folded form is also a common harmless word or
  // phrase (from the manifest's optional common_words file): what
  // `vigil lexicon lint` reports. Empty when the lexicon is clean.
  static std::vector<LexiconProblem> Lint(
      const LexiconFiles& files, const normalize::Normalizer& normalizer);
  static std::vector<LexiconProblem> Lint(
      const std::string& dir, const normalize::Normalizer& normalizer);

  // "<manifest version>+<first 12 hex digits of the content hash>": names
  // exactly the bytes of every file that was loaded.
  const std::string& version() const { return version_; }
  uint64_t content_hash() const { return content_hash_; }

  const std::vector<Term>& terms() const { return terms_; }
  const std::vector<AllowPhrase>& allowlist() const { return allowlist_; }
  const CategorySettings& settings(Category c) const {
    return settings_[static_cast<int>(c)];
  }

 private:
  // Parses every file of `files`, reporting to `found`.
  static Lexicon Parse(const LexiconFiles& files,
                       const normalize::Normalizer& normalizer,
                       class Problems& found);

  std::string version_;
  uint64_t content_hash_ = 0;
  std::vector<Term> terms_;
  std::vector<AllowPhrase> allowlist_;
  std::array<CategorySettings, kNumCategories> settings_;
};

}  // namespace vigil::match

#endif  // VIGIL_ANALYZERS_MATCH_LEXICON_H_
