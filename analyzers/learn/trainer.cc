#include "analyzers/learn/trainer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/status/status.h"
#include "analyzers/learn/logistic.h"
#include "analyzers/learn/ngrams.h"
#include "analyzers/util/strings.h"

namespace vigil::learn {
namespace {

// One training example: the n-grams of one written form of a comment.
struct Example {
  std::vector<std::string> grams;
  uint32_t words = 0;
  Label label = Label::kClean;
  bool per_category = false;
  uint32_t categories = 0;
};

constexpr uint32_t Bit(match::Category c) { return 1u << static_cast<int>(c); }

// Is `e` a positive (1), a negative (0) or no example (-1) of `c`?
int Target(const Example& e, match::Category c) {
  if (e.per_category) return (e.categories & Bit(c)) ? 1 : 0;
  switch (c) {
    case match::Category::kInsult:
      return e.label == Label::kTargeted;
    case match::Category::kProfanity:
      return e.label == Label::kOffensive;
    default:
      return e.label == Label::kClean ? 0 : -1;
  }
}

bool IsSingleLetter(std::string_view syllable) {
  if (syllable.empty()) return true;
  const unsigned char c = syllable[0];
  const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  return syllable.size() <= len;
}

}  // namespace

const std::vector<std::string_view>& TargetWords() {
  static const std::vector<std::string_view> kWords = {
      "mày", "thằng", "bọn", "lũ",   "tụi", "chúng", "mi",  "đồ",
      "con", "mấy",   "thứ", "loại", "m",   "tao",   "ông", "bà"};
  return kWords;
}

Label ResolveLabel(const Analyzer& analyzer, const LabeledComment& comment) {
  if (comment.label != Label::kToxic) return comment.label;
  const normalize::NormalizedText n = analyzer.Read(comment.text);
  // Any curated insult/hate/threat term counts, whatever the thresholds:
  // those are tuned after training, and training must not depend on them.
  // So the matcher's own hits, not the verdict's (which explain only
  // flagged categories).
  for (const match::Hit& h : analyzer.matcher().Match(n)) {
    const match::Category c = analyzer.lexicon().terms()[h.term].category;
    if (c == match::Category::kInsult || c == match::Category::kHate ||
        c == match::Category::kThreat) {
      return Label::kTargeted;
    }
  }
  for (const normalize::Token& t : n.tokens()) {
    for (std::string_view w : TargetWords()) {
      if (n.text(t) == w) return Label::kTargeted;
    }
  }
  return Label::kOffensive;
}

absl::StatusOr<std::unordered_set<std::string>> LoadStopWords(
    const std::string& path, const normalize::Normalizer& normalizer) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(StrCat(path, ": cannot read stop words"));
  std::unordered_set<std::string> words;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const normalize::NormalizedText n = normalizer.Normalize(line);
    if (n.tokens().size() == 1) words.insert(n.canonical());
  }
  return words;
}

std::string Fixed(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, x);
  std::string s(buf);
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) {
    s.erase(0, 1);
  }
  return s;
}

absl::StatusOr<std::vector<LearnedModel>> Train(
    const Analyzer& curated, const std::vector<LabeledComment>& data,
    const std::unordered_set<std::string>& stopwords,
    const TrainerOptions& options) {
  if (data.empty()) return absl::InvalidArgumentError("no training comments");
  const normalize::Normalizer& normalizer = curated.normalizer();
  std::vector<Example> examples;
  examples.reserve(data.size() * (options.unaccented_copies ? 2 : 1));
  std::array<int, match::kNumCategories> positives{};
  for (const LabeledComment& comment : data) {
    const Label label =
        comment.per_category ? Label::kClean : ResolveLabel(curated, comment);
    // The view the learned n-grams are matched on: as written, without the
    // language model's reading (see Analyzer::Analyze).
    const normalize::NormalizedText n = normalizer.Normalize(comment.text);
    Example e{SyllableNgrams(n, options.max_n), n.words(), label,
              comment.per_category, comment.categories};
    for (int c = 0; c < match::kNumCategories; ++c) {
      positives[c] += Target(e, static_cast<match::Category>(c)) == 1;
    }
    if (options.unaccented_copies && n.folded() != n.canonical()) {
      const normalize::NormalizedText f = normalizer.Normalize(n.folded());
      Example copy = e;
      copy.grams = SyllableNgrams(f, options.max_n);
      copy.words = f.words();
      examples.push_back(std::move(e));
      examples.push_back(std::move(copy));
    } else {
      examples.push_back(std::move(e));
    }
  }

  // Vocabulary, sorted for determinism.
  std::map<std::string, int> df;
  for (const Example& e : examples) {
    for (const std::string& g : e.grams) ++df[g];
  }
  std::map<std::string, int32_t> vocab;
  for (const auto& [gram, count] : df) {
    if (count < options.min_df) continue;
    bool content = false;
    for (std::string_view syllable : SplitChar(gram, ' ')) {
      content = content || (!IsSingleLetter(syllable) &&
                            !stopwords.contains(std::string(syllable)));
    }
    if (!content) continue;
    if (normalizer.Normalize(gram).canonical() != gram) continue;
    vocab.emplace(gram, static_cast<int32_t>(vocab.size()));
  }
  std::vector<std::string> names(vocab.size());
  for (const auto& [gram, id] : vocab) names[id] = gram;
  std::vector<bool> target_only(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    bool only = true;
    for (std::string_view syllable : SplitChar(names[i], ' ')) {
      only = only && std::find(TargetWords().begin(), TargetWords().end(),
                               syllable) != TargetWords().end();
    }
    target_only[i] = only;
  }

  std::vector<LearnedModel> models;
  for (int ci = 0; ci < match::kNumCategories; ++ci) {
    const auto category = static_cast<match::Category>(ci);
    if (positives[ci] < options.min_positives) continue;
    const bool insult = category == match::Category::kInsult;
    std::vector<SparseExample> sparse;
    sparse.reserve(examples.size());
    LearnedModel model;
    model.category = std::string(match::CategoryName(category));
    model.length_norm = options.length_norm;
    for (const Example& e : examples) {
      const int target = Target(e, category);
      if (target < 0) continue;
      SparseExample s;
      for (const std::string& g : e.grams) {
        auto it = vocab.find(g);
        if (it == vocab.end()) continue;
        // The label says "addresses a target"; the words that make it so
        // must not, alone, make a post an insult: the model learns from
        // the abuse around them instead.
        if (insult && target_only[it->second]) continue;
        s.features.push_back(it->second);
      }
      s.positive = target == 1;
      if (options.length_norm > 0 && e.words > options.length_norm) {
        s.value = 1 / std::sqrt(e.words / options.length_norm);
      }
      model.positives += s.positive;
      sparse.push_back(std::move(s));
    }
    const LogisticModel fit = FitLogistic(
        sparse, static_cast<int32_t>(names.size()), {.c = options.c});
    model.bias = fit.bias;
    model.iterations = fit.iterations;
    model.examples = sparse.size();
    model.features = names.size();
    for (size_t i = 0; i < names.size(); ++i) {
      // Rounded as the file stores it, so in-memory and file models agree.
      const double w = std::stod(Fixed(fit.weights[i], 4));
      if (std::abs(w) >= options.min_weight && w != 0) {
        model.terms.emplace_back(names[i], w);
      }
    }
    std::sort(model.terms.begin(), model.terms.end(),
              [](const auto& a, const auto& b) {
                if (a.second != b.second) return a.second > b.second;
                return a.first < b.first;
              });
    models.push_back(std::move(model));
  }
  return models;
}

std::string LearnedFileText(const LearnedModel& model,
                            std::string_view notice) {
  std::ostringstream out;
  out << notice << "@learned\t" << model.category
      << "\tbias=" << Fixed(model.bias, 4);
  if (model.length_norm > 0) {
    out << "\tlength_norm=" << Fixed(model.length_norm, 1);
  }
  out << "\n";
  for (const auto& [term, weight] : model.terms) {
    out << term << "\t" << Fixed(weight, 4) << "\n";
  }
  return out.str();
}

}  // namespace vigil::learn
