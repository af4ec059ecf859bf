#include "analyzers/match/lexicon.h"

#include <re2/re2.h>

#include <cstdio>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "analyzers/match/finite_regex.h"
#include "analyzers/match/lexicon_lines.h"
#include "analyzers/util/strings.h"

namespace vigil::match {
namespace {

constexpr std::string_view kRegexPrefix = "re:";

// Checks that `phrase` is canonical syllables; fills their canonical and
// folded forms. Returns false (and reports) otherwise.
bool CanonicalSyllables(const normalize::Normalizer& normalizer,
                        std::string_view phrase, const std::string& where,
                        Problems& problems, std::vector<std::string>* syllables,
                        std::vector<std::string>* folded) {
  normalize::NormalizedText n = normalizer.Normalize(phrase);
  bool words = !n.tokens().empty();
  for (const normalize::Token& t : n.tokens()) {
    words = words && (t.kind == normalize::TokenKind::kWord ||
                      t.kind == normalize::TokenKind::kNumber);
  }
  if (!words) {
    problems.Add(where, StrCat("'", phrase,
                               "' must be syllables (or numbers) separated "
                               "by single spaces"));
    return false;
  }
  if (n.canonical() != phrase) {
    problems.Add(where, StrCat("'", phrase,
                               "' is not in canonical form; the normalizer "
                               "turns it into '",
                               n.canonical(), "'"));
    return false;
  }
  for (const normalize::Token& t : n.tokens()) {
    syllables->emplace_back(n.text(t));
    folded->emplace_back(n.folded_text(t));
  }
  return true;
}

void ParseCategoryFile(std::string_view contents, const std::string& name,
                       Category category,
                       const normalize::Normalizer& normalizer,
                       Problems& problems, std::vector<Term>* terms) {
  std::vector<Line> lines = ContentLines(contents);
  const std::string header = StrCat("@category\t", CategoryName(category));
  if (!CheckHeader(lines, name, !lines.empty() && lines[0].text == header,
                   StrCat("@category<TAB>", CategoryName(category)),
                   problems)) {
    return;
  }
  FirstSeen seen;
  const auto file = std::make_shared<const std::string>(name);
  ForEachEntry(
      lines, name, 4, 5,
      "term<TAB>weight<TAB>fold|nofold<TAB>mild|moderate|severe[<TAB>note]",
      problems,
      [&](const std::string& where, int line,
          const std::vector<std::string_view>& cols) {
        Term term;
        term.category = category;
        term.where = {file, line};
        bool ok = true;
        if (cols[0].substr(0, kRegexPrefix.size()) == kRegexPrefix) {
          term.is_regex = true;
          term.text = std::string(cols[0].substr(kRegexPrefix.size()));
          RE2::Options options;
          options.set_log_errors(false);
          RE2 re(term.text, options);
          if (term.text.empty() || !re.ok()) {
            problems.Add(
                where, StrCat("invalid regex '", term.text,
                              "': ", term.text.empty() ? "empty" : re.error()));
            ok = false;
          }
          term.frame =
              !ExpandFiniteRegex(term.text, kMaxRegexPhrases).has_value();
        } else {
          term.text = std::string(cols[0]);
          ok = CanonicalSyllables(normalizer, term.text, where, problems,
                                  &term.syllables, &term.folded);
        }
        if (!ParseDouble(cols[1], &term.weight) || term.weight <= 0 ||
            term.weight > 10) {
          problems.Add(where, StrCat("weight '", cols[1],
                                     "' must be a number in (0, 10]"));
          ok = false;
        }
        if (cols[2] == "fold") {
          term.fold = true;
        } else if (cols[2] != "nofold") {
          problems.Add(where, StrCat("fold column '", cols[2],
                                     "' must be 'fold' or 'nofold'"));
          ok = false;
        }
        if (std::optional<Severity> sev = ParseSeverity(cols[3])) {
          term.severity = *sev;
        } else {
          problems.Add(where, StrCat("severity '", cols[3],
                                     "' must be mild, moderate or severe"));
          ok = false;
        }
        if (cols.size() == 5) term.note = std::string(cols[4]);
        ok = seen.Add(std::string(cols[0]), where, "term", problems) && ok;
        if (ok) terms->push_back(std::move(term));
      });
}

// A learned lexicon: "@learned<TAB>category<TAB>bias=<number>", then
// term<TAB>weight[<TAB>note] with weights in [-20, 20], never zero.
// CanonicalSyllables for the many n-grams of a learned file: each distinct
// syllable is normalized once (the normalizer works word by word, so a
// phrase is canonical exactly when each of its syllables is).
class SyllableChecker {
 public:
  explicit SyllableChecker(const normalize::Normalizer& normalizer)
      : normalizer_(normalizer) {}

  bool Check(std::string_view phrase, const std::string& where,
             Problems& problems, std::vector<std::string>* syllables,
             std::vector<std::string>* folded) {
    for (std::string_view s : SplitChar(phrase, ' ')) {
      auto it = cache_.find(absl::string_view(s.data(), s.size()));
      if (it == cache_.end()) {
        normalize::NormalizedText n = normalizer_.Normalize(s);
        Entry e;
        e.ok = n.tokens().size() == 1 && n.canonical() == s &&
               (n.tokens()[0].kind == normalize::TokenKind::kWord ||
                n.tokens()[0].kind == normalize::TokenKind::kNumber);
        e.folded = n.folded();
        it = cache_.emplace(std::string(s), std::move(e)).first;
      }
      if (!it->second.ok) {
        // The full check says exactly what is wrong.
        syllables->clear();
        folded->clear();
        return CanonicalSyllables(normalizer_, phrase, where, problems,
                                  syllables, folded);
      }
      syllables->emplace_back(s);
      folded->push_back(it->second.folded);
    }
    return !syllables->empty();
  }

 private:
  struct Entry {
    bool ok = false;
    std::string folded;
  };
  const normalize::Normalizer& normalizer_;
  absl::flat_hash_map<std::string, Entry> cache_;
};

void ParseLearnedFile(std::string_view contents, const std::string& name,
                      Category category,
                      const normalize::Normalizer& normalizer,
                      Problems& problems, double* bias, double* length_norm,
                      std::vector<Term>* terms) {
  std::vector<Line> lines = ContentLines(contents);
  const std::string prefix =
      StrCat("@learned\t", CategoryName(category), "\tbias=");
  // "bias=B" or "bias=B<TAB>length_norm=L".
  bool header_ok =
      !lines.empty() && lines[0].text.substr(0, prefix.size()) == prefix;
  if (header_ok) {
    std::vector<std::string_view> rest =
        SplitChar(lines[0].text.substr(prefix.size()), '\t');
    constexpr std::string_view kNorm = "length_norm=";
    header_ok =
        (rest.size() == 1 || rest.size() == 2) && ParseDouble(rest[0], bias);
    *length_norm = 0;
    if (header_ok && rest.size() == 2) {
      header_ok = rest[1].substr(0, kNorm.size()) == kNorm &&
                  ParseDouble(rest[1].substr(kNorm.size()), length_norm) &&
                  *length_norm >= 0;
    }
  }
  if (!CheckHeader(lines, name, header_ok,
                   StrCat("@learned<TAB>", CategoryName(category),
                          "<TAB>bias=<number>[<TAB>length_norm=<number>]"),
                   problems)) {
    return;
  }
  FirstSeen seen;
  SyllableChecker checker(normalizer);
  const auto file = std::make_shared<const std::string>(name);
  std::vector<std::string> syllables, folded;
  ForEachEntry(
      lines, name, 2, 3, "term<TAB>weight[<TAB>note]", problems,
      [&](const std::string& where, int line,
          const std::vector<std::string_view>& cols) {
        Term term;
        term.category = category;
        term.learned = true;
        term.where = {file, line};
        term.text = std::string(cols[0]);
        // Checked, then dropped (Term::syllables).
        syllables.clear();
        folded.clear();
        bool ok =
            checker.Check(term.text, where, problems, &syllables, &folded);
        if (!ParseDouble(cols[1], &term.weight) || term.weight == 0 ||
            term.weight < -20 || term.weight > 20) {
          problems.Add(where,
                       StrCat("weight '", cols[1],
                              "' must be a non-zero number in [-20, 20]"));
          ok = false;
        }
        if (cols.size() == 3) term.note = std::string(cols[2]);
        ok = seen.Add(term.text, where, "term", problems) && ok;
        if (ok) terms->push_back(std::move(term));
      });
}

void ParseAllowlist(std::string_view contents, const std::string& name,
                    const normalize::Normalizer& normalizer, Problems& problems,
                    std::vector<AllowPhrase>* allow) {
  std::vector<Line> lines = ContentLines(contents);
  if (!CheckHeader(lines, name, !lines.empty() && lines[0].text == "@allowlist",
                   "@allowlist", problems)) {
    return;
  }
  FirstSeen seen;
  ForEachEntry(
      lines, name, 2, 3, "phrase<TAB>categories[<TAB>note]", problems,
      [&](const std::string& where, int /*line*/,
          const std::vector<std::string_view>& cols) {
        AllowPhrase a;
        a.where = where;
        a.text = std::string(cols[0]);
        bool ok = CanonicalSyllables(normalizer, a.text, where, problems,
                                     &a.syllables, &a.folded);
        if (cols[1] == "*") {
          a.categories = (1u << kNumCategories) - 1;
        } else {
          for (std::string_view name_part : SplitChar(cols[1], ',')) {
            std::optional<Category> c = ParseCategory(name_part);
            if (!c) {
              problems.Add(where, StrCat(UnknownCategoryMessage(name_part),
                                         "; or * for all"));
              ok = false;
            } else {
              a.categories |= 1u << static_cast<int>(*c);
            }
          }
        }
        if (cols.size() == 3) a.note = std::string(cols[2]);
        ok = seen.Add(a.text, where, "phrase", problems) && ok;
        if (ok) allow->push_back(std::move(a));
      });
}

}  // namespace

std::string SourceLine::ToString() const {
  return StrCat(file == nullptr ? std::string_view() : std::string_view(*file),
                ":", line);
}

absl::StatusOr<Lexicon> Lexicon::Load(const LexiconFiles& files,
                                      const normalize::Normalizer& normalizer,
                                      std::vector<LexiconProblem>* problems) {
  Problems found(problems);
  Lexicon lex = Parse(files, normalizer, found);
  if (found.any()) return found.ToStatus();
  return lex;
}

absl::StatusOr<Lexicon> Lexicon::Load(const std::string& dir,
                                      const normalize::Normalizer& normalizer,
                                      std::vector<LexiconProblem>* problems,
                                      bool include_learned) {
  return Load(LexiconFiles::Read(dir, include_learned), normalizer, problems);
}

std::vector<LexiconProblem> Lexicon::Lint(
    const LexiconFiles& files, const normalize::Normalizer& normalizer) {
  std::vector<LexiconProblem> problems;
  Problems found(&problems);
  Lexicon lex = Parse(files, normalizer, found);
  const std::string& common_words = files.manifest().common_words;
  if (common_words.empty()) return problems;
  const std::string path = files.Path(common_words);
  std::string contents;
  if (!ReadFile(path, &contents)) {
    found.Add(path, "cannot read common words");
    return problems;
  }
  // Folded form → the common words (canonical) that fold to it.
  std::map<std::string, std::vector<std::string>> by_folded;
  for (const Line& line : ContentLines(contents)) {
    normalize::NormalizedText n = normalizer.Normalize(line.text);
    by_folded[n.folded()].push_back(n.canonical());
  }
  for (const Term& term : lex.terms()) {
    if (term.is_regex || !term.fold) continue;
    std::string folded;
    for (const std::string& f : term.folded) {
      if (!folded.empty()) folded += ' ';
      folded += f;
    }
    auto it = by_folded.find(folded);
    if (it == by_folded.end()) continue;
    for (const std::string& word : it->second) {
      if (word == term.text) continue;
      found.Add(term.where.ToString(),
                StrCat("fold-allowed term '", term.text, "' folds to '", folded,
                       "', as does the common word '", word,
                       "': make it nofold or part of a longer phrase"));
      break;
    }
  }
  return problems;
}

std::vector<LexiconProblem> Lexicon::Lint(
    const std::string& dir, const normalize::Normalizer& normalizer) {
  return Lint(LexiconFiles::Read(dir), normalizer);
}

Lexicon Lexicon::Parse(const LexiconFiles& files,
                       const normalize::Normalizer& normalizer,
                       Problems& found) {
  for (const LexiconProblem& p : files.problems())
    found.Add(p.where, p.message);
  const Manifest& m = files.manifest();
  Lexicon lex;
  lex.settings_ = m.categories;
  for (int i = 0; i < kNumCategories; ++i) {
    CategorySettings& s = lex.settings_[i];
    const std::string* file = m.seen[i] ? files.Contents(s.file) : nullptr;
    if (file == nullptr) continue;
    ParseCategoryFile(*file, files.Path(s.file), static_cast<Category>(i),
                      normalizer, found, &lex.terms_);
    const std::string* learned =
        s.has_learned ? files.Contents(s.learned_file) : nullptr;
    if (learned == nullptr) continue;
    ParseLearnedFile(*learned, files.Path(s.learned_file),
                     static_cast<Category>(i), normalizer, found,
                     &s.learned_bias, &s.learned_length_norm, &lex.terms_);
  }
  if (const std::string* allow = files.Contents(m.allowlist)) {
    ParseAllowlist(*allow, files.Path(m.allowlist), normalizer, found,
                   &lex.allowlist_);
  }
  // Loading grew the vector by doubling; give back the slack.
  lex.terms_.shrink_to_fit();
  lex.content_hash_ = files.content_hash();
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(lex.content_hash_));
  lex.version_ = StrCat(m.version, "+", std::string_view(hex, 12));
  return lex;
}

}  // namespace vigil::match
