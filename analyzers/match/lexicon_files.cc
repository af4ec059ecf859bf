#include "analyzers/match/lexicon_files.h"

#include <utility>

#include "analyzers/match/lexicon.h"
#include "analyzers/match/lexicon_lines.h"
#include "analyzers/normalize/teencode.h"

namespace vigil::match {
namespace {

constexpr std::string_view kManifest = "manifest.tsv";

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
    } else if (key == "language_model") {
      if (cols.size() != 3 || cols[1].empty()) {
        problems.Add(where,
                     "expected: language_model<TAB>file<TAB>min_confidence");
        continue;
      }
      if (!m.language_model.empty()) {
        problems.Add(where, "'language_model' given twice");
      }
      m.language_model = std::string(cols[1]);
      if (!ParseDouble(cols[2], &m.restore_confidence) ||
          m.restore_confidence <= 0.5 || m.restore_confidence > 1) {
        problems.Add(where, StrCat("min_confidence '", cols[2],
                                   "' must be a number above 0.5, at most 1"));
      }
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
        problems.Add(where, UnknownCategoryMessage(cols[1]));
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
        problems.Add(where, UnknownCategoryMessage(cols[1]));
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
        problems.Add(where, UnknownCategoryMessage(cols[1]));
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

}  // namespace

LexiconFiles LexiconFiles::Read(const std::string& dir, bool include_learned) {
  LexiconFiles files;
  files.dir_ = dir;
  Problems found(&files.problems_);
  const std::string manifest_path = files.Path(kManifest);
  std::string contents;
  if (!ReadFile(manifest_path, &contents)) {
    found.Add(manifest_path, "cannot read lexicon manifest");
    return files;
  }
  files.hash_ = Fnv1a(kFnv1aSeed, contents);
  files.manifest_ = ParseManifest(contents, manifest_path, found);
  Manifest& m = files.manifest_;
  // Reads `name` into contents_ and the hash (under `hashed_as`); false and
  // a problem when it cannot be read.
  auto read = [&](const std::string& name, std::string_view hashed_as,
                  std::string_view what) {
    std::string bytes;
    if (!ReadFile(files.Path(name), &bytes)) {
      found.Add(files.Path(name), StrCat("cannot read ", what));
      return false;
    }
    files.hash_ = Fnv1a(Fnv1a(files.hash_, hashed_as), bytes);
    files.contents_[name] = std::move(bytes);
    return true;
  };
  for (int i = 0; i < kNumCategories; ++i) {
    if (!m.seen[i]) continue;
    CategorySettings& s = m.categories[i];
    if (!read(s.file, StrCat("/", s.file), "category file")) continue;
    if (!s.has_learned) continue;
    if (!include_learned) {
      s.has_learned = false;
      continue;
    }
    read(s.learned_file, s.learned_file, "learned lexicon");
  }
  if (!m.allowlist.empty()) read(m.allowlist, m.allowlist, "allowlist");
  if (!m.teencode.empty()) read(m.teencode, m.teencode, "teencode table");
  if (!m.language_model.empty()) {
    read(m.language_model, m.language_model, "language model");
  }
  return files;
}

std::string LexiconFiles::Path(std::string_view name) const {
  if (!name.empty() && name[0] == '/') return std::string(name);
  return StrCat(dir_, "/", name);
}

const std::string* LexiconFiles::Contents(std::string_view name) const {
  auto it = contents_.find(absl::string_view(name.data(), name.size()));
  return it == contents_.end() ? nullptr : &it->second;
}

absl::StatusOr<std::unique_ptr<const normalize::Normalizer>>
LexiconFiles::NewNormalizer(bool word_memo) const {
  normalize::TeencodeTable table;
  if (const std::string* teencode = Contents(manifest_.teencode)) {
    absl::StatusOr<normalize::TeencodeTable> parsed =
        normalize::TeencodeTable::Parse(*teencode, Path(manifest_.teencode));
    if (!parsed.ok()) return parsed.status();
    table = *std::move(parsed);
  }
  return normalize::Normalizer::Create(std::move(table), word_memo);
}

}  // namespace vigil::match
