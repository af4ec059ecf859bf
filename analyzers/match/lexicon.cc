#include "analyzers/match/lexicon.h"

#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "analyzers/util/strings.h"

namespace vigil::match {
namespace {

constexpr std::string_view kManifest = "manifest.tsv";
constexpr std::string_view kRegexPrefix = "re:";

bool ReadFile(const std::string& path, std::string* contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  *contents = buffer.str();
  return true;
}

uint64_t Fnv1a(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

bool ParseDouble(std::string_view s, double* out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && ptr == end && std::isfinite(*out);
}

// A text file split into lines with 1-based numbers, comments and blank
// lines skipped, '\r' stripped.
struct Line {
  int number;
  std::string_view text;
};
std::vector<Line> ContentLines(std::string_view contents) {
  std::vector<Line> lines;
  int number = 0;
  for (std::string_view line : SplitChar(contents, '\n')) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    lines.push_back({number, line});
  }
  return lines;
}

}  // namespace

// Collects problems for one load.
class Problems {
 public:
  explicit Problems(std::vector<LexiconProblem>* sink) : sink_(sink) {}
  void Add(std::string where, std::string message) {
    if (count_ == 0) first_ = where + ": " + message;
    ++count_;
    if (sink_ != nullptr)
      sink_->push_back({std::move(where), std::move(message)});
  }
  bool any() const { return count_ > 0; }
  absl::Status ToStatus() const {
    if (count_ == 0) return absl::OkStatus();
    std::string msg = first_;
    if (count_ > 1) msg += StrCat(" (and ", count_ - 1, " more problems)");
    return absl::InvalidArgumentError(msg);
  }

 private:
  std::vector<LexiconProblem>* sink_;
  int count_ = 0;
  std::string first_;
};

namespace {

// Reports a problem at the first line of `name` (or the file) unless
// `header_ok`; false when the file has no lines at all.
bool CheckHeader(const std::vector<Line>& lines, const std::string& name,
                 bool header_ok, const std::string& expected,
                 Problems& problems) {
  if (lines.empty() || !header_ok) {
    problems.Add(lines.empty() ? name : StrCat(name, ":", lines[0].number),
                 StrCat("the first line must be '", expected, "'"));
  }
  return !lines.empty();
}

// Remembers where each entry was first seen and reports repeats.
class FirstSeen {
 public:
  // False (and a problem) when `key` was seen before.
  bool Add(const std::string& key, const std::string& where,
           std::string_view what, Problems& problems) {
    auto [it, inserted] = where_.emplace(key, where);
    if (!inserted) {
      problems.Add(where, StrCat("duplicate ", what, " '", key, "' (first at ",
                                 it->second, ")"));
    }
    return inserted;
  }

 private:
  absl::flat_hash_map<std::string, std::string> where_;
};

// Calls `entry(where, columns)` for every line after the header whose
// TAB-separated column count is in [min_columns, max_columns]; reports the
// others as "expected <format>".
template <typename Entry>
void ForEachEntry(const std::vector<Line>& lines, const std::string& name,
                  size_t min_columns, size_t max_columns,
                  std::string_view format, Problems& problems, Entry entry) {
  for (size_t k = 1; k < lines.size(); ++k) {
    const std::string where = StrCat(name, ":", lines[k].number);
    std::vector<std::string_view> cols = SplitChar(lines[k].text, '\t');
    if (cols.size() < min_columns || cols.size() > max_columns) {
      problems.Add(where, StrCat("expected ", format, ", got ", cols.size(),
                                 " columns"));
      continue;
    }
    entry(where, cols);
  }
}

struct Manifest {
  std::string version;
  std::string teencode;
  std::string allowlist;
  std::string common_words;
  std::array<CategorySettings, kNumCategories> categories;
  std::array<bool, kNumCategories> seen{};
};

// Parses manifest.tsv; problems are reported against `name`.
Manifest ParseManifest(std::string_view contents, const std::string& name,
                       Problems& problems) {
  Manifest m;
  for (const Line& line : ContentLines(contents)) {
    const std::string where = StrCat(name, ":", line.number);
    std::vector<std::string_view> cols = SplitChar(line.text, '\t');
    const std::string_view key = cols[0];
    if (key == "version" || key == "teencode" || key == "allowlist" ||
        key == "common_words") {
      if (cols.size() != 2 || cols[1].empty()) {
        problems.Add(where, StrCat("'", key, "' takes one value"));
        continue;
      }
      std::string& dst = key == "version"     ? m.version
                         : key == "teencode"  ? m.teencode
                         : key == "allowlist" ? m.allowlist
                                              : m.common_words;
      if (!dst.empty()) problems.Add(where, StrCat("'", key, "' given twice"));
      dst = std::string(cols[1]);
    } else if (key == "min_severity") {
      if (cols.size() != 3) {
        problems.Add(where,
                     "expected: min_severity<TAB>category|*<TAB>"
                     "mild|moderate|severe");
        continue;
      }
      std::optional<Severity> severity = ParseSeverity(cols[2]);
      if (!severity) {
        problems.Add(where, StrCat("severity '", cols[2],
                                   "' must be mild, moderate or severe"));
        continue;
      }
      if (cols[1] == "*") {
        for (CategorySettings& s : m.categories) s.min_severity = *severity;
        continue;
      }
      std::optional<Category> c = ParseCategory(cols[1]);
      if (!c) {
        problems.Add(where, StrCat("unknown category '", cols[1], "'"));
        continue;
      }
      m.categories[static_cast<int>(*c)].min_severity = *severity;
    } else if (key == "learned") {
      if (cols.size() != 4) {
        problems.Add(where,
                     "expected: learned<TAB>category<TAB>file<TAB>threshold");
        continue;
      }
      std::optional<Category> c = ParseCategory(cols[1]);
      if (!c) {
        problems.Add(where, StrCat("unknown category '", cols[1], "'"));
        continue;
      }
      CategorySettings& s = m.categories[static_cast<int>(*c)];
      if (s.has_learned) {
        problems.Add(where, StrCat("learned '", cols[1], "' given twice"));
      }
      s.has_learned = true;
      s.learned_file = std::string(cols[2]);
      if (!ParseDouble(cols[3], &s.learned_threshold) ||
          s.learned_threshold <= 0 || s.learned_threshold >= 1) {
        problems.Add(where, StrCat("threshold '", cols[3],
                                   "' must be a number between 0 and 1"));
      }
    } else if (key == "category") {
      if (cols.size() != 5) {
        problems.Add(where,
                     "expected: category<TAB>name<TAB>file<TAB>threshold"
                     "<TAB>bias");
        continue;
      }
      std::optional<Category> c = ParseCategory(cols[1]);
      if (!c) {
        problems.Add(where, StrCat("unknown category '", cols[1], "'"));
        continue;
      }
      const int i = static_cast<int>(*c);
      if (m.seen[i]) {
        problems.Add(where, StrCat("category '", cols[1], "' given twice"));
      }
      m.seen[i] = true;
      CategorySettings& s = m.categories[i];
      s.file = std::string(cols[2]);
      if (!ParseDouble(cols[3], &s.threshold) || s.threshold <= 0 ||
          s.threshold >= 1) {
        problems.Add(where, StrCat("threshold '", cols[3],
                                   "' must be a number between 0 and 1"));
      }
      if (!ParseDouble(cols[4], &s.bias)) {
        problems.Add(where, StrCat("bias '", cols[4], "' must be a number"));
      }
    } else {
      problems.Add(where, StrCat("unknown manifest key '", key, "'"));
    }
  }
  if (m.version.empty()) problems.Add(name, "no 'version' line");
  if (m.teencode.empty()) problems.Add(name, "no 'teencode' line");
  for (int i = 0; i < kNumCategories; ++i) {
    if (!m.seen[i]) {
      problems.Add(name,
                   StrCat("category '", kCategoryNames[i], "' is missing"));
    }
  }
  return m;
}

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
  ForEachEntry(
      lines, name, 4, 5,
      "term<TAB>weight<TAB>fold|nofold<TAB>mild|moderate|severe[<TAB>note]",
      problems,
      [&](const std::string& where, const std::vector<std::string_view>& cols) {
        Term term;
        term.category = category;
        term.where = where;
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
  ForEachEntry(
      lines, name, 2, 3, "term<TAB>weight[<TAB>note]", problems,
      [&](const std::string& where, const std::vector<std::string_view>& cols) {
        Term term;
        term.category = category;
        term.learned = true;
        term.where = where;
        term.text = std::string(cols[0]);
        bool ok = checker.Check(term.text, where, problems, &term.syllables,
                                &term.folded);
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
      [&](const std::string& where, const std::vector<std::string_view>& cols) {
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
              problems.Add(where,
                           StrCat("unknown category '", name_part,
                                  "' (categories: profanity, insult, hate, "
                                  "threat, sexual, self_harm, scam, spam, "
                                  "or *)"));
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

absl::StatusOr<std::string> Lexicon::TeencodePath(const std::string& dir) {
  const std::string path = StrCat(dir, "/", kManifest);
  std::string contents;
  if (!ReadFile(path, &contents)) {
    return absl::NotFoundError(StrCat(path, ": cannot read lexicon manifest"));
  }
  for (const Line& line : ContentLines(contents)) {
    std::vector<std::string_view> cols = SplitChar(line.text, '\t');
    if (cols[0] == "teencode" && cols.size() == 2) {
      return StrCat(dir, "/", cols[1]);
    }
  }
  return absl::InvalidArgumentError(StrCat(path, ": no 'teencode' line"));
}

absl::StatusOr<Lexicon> Lexicon::Load(const std::string& dir,
                                      const normalize::Normalizer& normalizer,
                                      std::vector<LexiconProblem>* problems,
                                      bool include_learned) {
  Problems found(problems);
  Lexicon lex = LoadAll(dir, normalizer, found, nullptr, include_learned);
  if (found.any()) return found.ToStatus();
  return lex;
}

std::vector<LexiconProblem> Lexicon::Lint(
    const std::string& dir, const normalize::Normalizer& normalizer) {
  std::vector<LexiconProblem> problems;
  Problems found(&problems);
  std::string common_words;
  Lexicon lex = LoadAll(dir, normalizer, found, &common_words, true);
  if (common_words.empty()) return problems;
  const std::string path = StrCat(dir, "/", common_words);
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
      found.Add(term.where,
                StrCat("fold-allowed term '", term.text, "' folds to '", folded,
                       "', as does the common word '", word,
                       "': make it nofold or part of a longer phrase"));
      break;
    }
  }
  return problems;
}

Lexicon Lexicon::LoadAll(const std::string& dir,
                         const normalize::Normalizer& normalizer,
                         Problems& found, std::string* common_words,
                         bool include_learned) {
  const std::string manifest_path = StrCat(dir, "/", kManifest);
  std::string contents;
  Lexicon lex;
  if (!ReadFile(manifest_path, &contents)) {
    found.Add(manifest_path, "cannot read lexicon manifest");
    return lex;
  }
  uint64_t hash = Fnv1a(0xcbf29ce484222325ull, contents);
  Manifest m = ParseManifest(contents, manifest_path, found);
  if (common_words != nullptr) *common_words = m.common_words;
  lex.settings_ = m.categories;
  for (int i = 0; i < kNumCategories; ++i) {
    if (!m.seen[i]) continue;
    const std::string path = StrCat(dir, "/", m.categories[i].file);
    std::string file;
    if (!ReadFile(path, &file)) {
      found.Add(path, "cannot read category file");
      continue;
    }
    hash = Fnv1a(Fnv1a(hash, path.substr(dir.size())), file);
    ParseCategoryFile(file, path, static_cast<Category>(i), normalizer, found,
                      &lex.terms_);
    CategorySettings& s = lex.settings_[i];
    if (!s.has_learned) continue;
    if (!include_learned) {
      s.has_learned = false;
      continue;
    }
    const std::string learned_path = StrCat(dir, "/", s.learned_file);
    if (!ReadFile(learned_path, &file)) {
      found.Add(learned_path, "cannot read learned lexicon");
      continue;
    }
    hash = Fnv1a(Fnv1a(hash, s.learned_file), file);
    ParseLearnedFile(file, learned_path, static_cast<Category>(i), normalizer,
                     found, &s.learned_bias, &s.learned_length_norm,
                     &lex.terms_);
  }
  if (!m.allowlist.empty()) {
    const std::string path = StrCat(dir, "/", m.allowlist);
    std::string file;
    if (!ReadFile(path, &file)) {
      found.Add(path, "cannot read allowlist");
    } else {
      hash = Fnv1a(Fnv1a(hash, m.allowlist), file);
      ParseAllowlist(file, path, normalizer, found, &lex.allowlist_);
    }
  }
  if (!m.teencode.empty()) {
    std::string file;
    if (ReadFile(StrCat(dir, "/", m.teencode), &file)) {
      hash = Fnv1a(Fnv1a(hash, m.teencode), file);
    }
  }
  lex.content_hash_ = hash;
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(hash));
  lex.version_ = StrCat(m.version, "+", std::string_view(hex, 12));
  return lex;
}

}  // namespace vigil::match
