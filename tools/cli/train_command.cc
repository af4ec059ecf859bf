// `vigil train`: fits the learned lexicons on ViHOS (MIT) and writes them
// as lexicon files plus a model card.
//
// Labels. A ViHOS comment with spans is toxic. vigil separates abuse aimed
// at someone (insult: ViHSD's HATE side) from vulgarity aimed at no one
// (profanity: ViHSD's OFFENSIVE side), which ViHOS does not label; a toxic
// comment counts as targeted when a curated insult, hate or threat term is
// hit in it, or when it addresses or names a target (kTargetWords). So:
//   insult model:    y = toxic and targeted
//   profanity model: y = toxic and not targeted
// Features: distinct syllable 1..max_n-grams (learn/ngrams.h) seen in at
// least min_df comments. Model: L2 logistic regression (learn/logistic.h).
// Nothing here is random: the same data, options and build give the same
// bytes.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "analyzers/learn/logistic.h"
#include "analyzers/learn/ngrams.h"
#include "analyzers/score/metrics.h"
#include "analyzers/util/csv.h"
#include "analyzers/util/strings.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "tools/cli/paths.h"

namespace vigil::cli {
namespace {

constexpr char kUsage[] =
    "usage: vigil train --train FILE[,FILE...] --test FILE --date YYYY-MM-DD\n"
    "                   [--lexicons DIR] [--out DIR] [--c 3] [--min-df 2]\n"
    "                   [--max-n 3] [--min-weight 0.05]\n"
    "Fits the learned insult and profanity lexicons on ViHOS CSV files\n"
    "(content, index_spans) and writes DIR/insult.tsv, DIR/profanity.tsv and\n"
    "DIR/MODEL_CARD.md (default DIR: <lexicons>/learned). --test is held out\n"
    "and measured in the card. Deterministic: same inputs, same bytes.\n";

// Words that address or name a target: second person, classifiers used
// as insults, group words (see the issue: "mày", "thằng", "bọn", "lũ").
constexpr std::string_view kTargetWords[] = {
    "mày", "thằng", "bọn", "lũ",   "tụi", "chúng", "mi",  "đồ",
    "con", "mấy",   "thứ", "loại", "m",   "tao",   "ông", "bà"};

struct Comment {
  std::vector<std::string> grams;
  bool toxic = false;
  bool targeted = false;
};

// Reads one ViHOS CSV into comments; returns false (after printing) on a
// malformed file.
bool ReadViHos(const std::string& path, const Analyzer& analyzer, int max_n,
               bool target_words, std::vector<Comment>* out,
               std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << "vigil train: cannot open " << path << "\n";
    return false;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::vector<std::vector<std::string>> rows = ParseCsv(buffer.str());
  const int text = rows.empty() ? -1 : CsvColumn(rows[0], "content");
  const int spans = rows.empty() ? -1 : CsvColumn(rows[0], "index_spans");
  if (text < 0 || spans < 0) {
    err << "vigil train: " << path
        << ": expected columns 'content' and 'index_spans'\n";
    return false;
  }
  for (size_t r = 1; r < rows.size(); ++r) {
    if (static_cast<int>(rows[r].size()) <= std::max(text, spans)) {
      err << "vigil train: " << path << ": row " << r + 1
          << " has too few columns\n";
      return false;
    }
    Comment c;
    try {
      c.toxic = !nlohmann::json::parse(rows[r][spans]).empty();
    } catch (const nlohmann::json::exception&) {
      err << "vigil train: " << path << ": row " << r + 1
          << ": index_spans is not a JSON list\n";
      return false;
    }
    const Analyzer::Result result = analyzer.Analyze(rows[r][text]);
    c.grams = learn::SyllableNgrams(result.normalized, max_n);
    // Any curated insult/hate/threat term counts, whatever the thresholds:
    // those are tuned after training, and training must not depend on them.
    for (const match::Hit& h : result.verdict.hits) {
      const match::Category category =
          analyzer.lexicon().terms()[h.term].category;
      c.targeted = c.targeted || category == match::Category::kInsult ||
                   category == match::Category::kHate ||
                   category == match::Category::kThreat;
    }
    for (const normalize::Token& t : result.normalized.tokens()) {
      if (!target_words) break;
      for (std::string_view w : kTargetWords) {
        c.targeted = c.targeted || result.normalized.text(t) == w;
      }
    }
    out->push_back(std::move(c));
  }
  return true;
}

std::string Fixed(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, x);
  // "-0.0000" and "0.0000" are the same number: print one form.
  std::string s(buf);
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) {
    s.erase(0, 1);
  }
  return s;
}

}  // namespace

int RunTrain(const std::vector<std::string>& args, const char* argv0,
             std::ostream& out, std::ostream& err) {
  ParsedFlags flags =
      ParseFlags(args,
                 {"--train", "--test", "--date", "--lexicons", "--out", "--c",
                  "--min-df", "--max-n", "--min-weight"},
                 {"--no-target-words", "-h", "--help"});
  if (flags.Has("-h") || flags.Has("--help")) {
    out << kUsage;
    return 0;
  }
  const bool target_words = !flags.Has("--no-target-words");
  double c = 3, min_weight = 0.05;
  int min_df = 2, max_n = 3;
  const bool numbers_ok =
      std::sscanf(flags.Get("--c", "3").c_str(), "%lf", &c) == 1 && c > 0 &&
      std::sscanf(flags.Get("--min-weight", "0.05").c_str(), "%lf",
                  &min_weight) == 1 &&
      min_weight >= 0 &&
      std::sscanf(flags.Get("--min-df", "2").c_str(), "%d", &min_df) == 1 &&
      min_df >= 1 &&
      std::sscanf(flags.Get("--max-n", "3").c_str(), "%d", &max_n) == 1 &&
      max_n >= 1 && max_n <= 5;
  if (!flags.error.empty() || flags.Get("--train").empty() ||
      flags.Get("--test").empty() || flags.Get("--date").size() != 10 ||
      !numbers_ok || !flags.positional.empty()) {
    err << "vigil train: "
        << (!flags.error.empty() ? flags.error
            : !numbers_ok
                ? "bad number in --c/--min-df/--max-n/--min-weight"
                : "--train, --test and --date YYYY-MM-DD are required")
        << "\n"
        << kUsage;
    return 2;
  }
  const std::string lexicons = LexiconDir(flags.Get("--lexicons"), argv0);
  const std::string out_dir = flags.Get("--out", lexicons + "/learned");
  // Weak labels come from the curated lexicons alone.
  auto analyzer = LoadAnalyzerOrReport(lexicons, argv0, "vigil train", err,
                                       {.learned = false});
  if (!analyzer) return 1;

  std::vector<Comment> train, test;
  std::vector<std::string> train_files;
  const std::string train_list = flags.Get("--train");
  for (std::string_view f : SplitChar(train_list, ',')) {
    train_files.emplace_back(f);
    if (!ReadViHos(std::string(f), *analyzer, max_n, target_words, &train, err))
      return 1;
  }
  if (!ReadViHos(flags.Get("--test"), *analyzer, max_n, target_words, &test,
                 err))
    return 1;

  // Vocabulary: n-grams in at least min_df training comments whose text is
  // stable under normalization (so the lexicon loader accepts them and the
  // matcher finds them), sorted for determinism.
  std::map<std::string, int> df;
  for (const Comment& cm : train) {
    for (const std::string& g : cm.grams) ++df[g];
  }
  std::map<std::string, int32_t> vocab;
  size_t unstable = 0;
  for (const auto& [gram, count] : df) {
    if (count < min_df) continue;
    if (analyzer->normalizer().Normalize(gram).canonical() != gram) {
      ++unstable;
      continue;
    }
    vocab.emplace(gram, static_cast<int32_t>(vocab.size()));
  }
  std::vector<std::string> names(vocab.size());
  for (const auto& [gram, id] : vocab) names[id] = gram;
  // n-grams made only of target words ("mày", "thằng mày").
  std::vector<bool> target_only(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    bool only = true;
    for (std::string_view syllable : SplitChar(names[i], ' ')) {
      only = only && std::find(std::begin(kTargetWords), std::end(kTargetWords),
                               syllable) != std::end(kTargetWords);
    }
    target_only[i] = only;
  }
  auto examples = [&vocab](const std::vector<Comment>& set, auto label) {
    std::vector<learn::SparseExample> data;
    for (const Comment& cm : set) {
      learn::SparseExample e;
      for (const std::string& g : cm.grams) {
        auto it = vocab.find(g);
        if (it != vocab.end()) e.features.push_back(it->second);
      }
      e.positive = label(cm);
      data.push_back(std::move(e));
    }
    return data;
  };
  struct Target {
    std::string category;
    bool (*label)(const Comment&);
  };
  const Target targets[] = {
      {"insult", [](const Comment& cm) { return cm.toxic && cm.targeted; }},
      {"profanity", [](const Comment& cm) { return cm.toxic && !cm.targeted; }},
  };

  std::ostringstream card;
  card
      << "# Model card: vigil learned lexicons\n\n"
      << "Generated by `vigil train` on " << flags.Get("--date")
      << "; do not edit by hand (regenerate with the command in README.md).\n\n"
      << "## Data\n\n"
      << "- Training: ";
  for (size_t i = 0; i < train_files.size(); ++i) {
    card << (i ? ", " : "") << "`" << train_files[i] << "`";
  }
  card << " (" << train.size() << " comments).\n"
       << "- Held out for measurement: `" << flags.Get("--test") << "` ("
       << test.size() << " comments).\n"
       << "- Source and license: ViHOS, MIT License (lexicons/LICENSES/"
          "vihos.txt). Shipped weights are learned from ViHOS only; ViHSD "
          "(research use only) was used to choose the thresholds in "
          "manifest.tsv and to measure, never to learn weights or entries.\n"
       << "- Labels: a comment with labeled spans is toxic. Targeted = a "
          "curated insult, hate or threat term is hit, or it contains one of:";
  for (std::string_view w : kTargetWords) card << " " << w;
  card << ". insult: toxic and targeted; profanity: toxic and not targeted.\n\n"
       << "## Features and hyper-parameters\n\n"
       << "- Distinct syllable 1-" << max_n
       << "-grams of the normalized text (canonical view; runs of word and "
          "number tokens), in at least "
       << min_df << " training comments: " << vocab.size() << " features ("
       << unstable << " more dropped: not stable under normalization).\n"
       << "- L2-regularized logistic regression, C = " << Fixed(c, 3)
       << ", bias not regularized, L-BFGS (history 10), full batch; no "
          "randomness.\n"
       << "- Weights with |w| < " << Fixed(min_weight, 3)
       << " are left out of the lexicon files.\n\n"
       << "## Models\n\n"
       << "| category | positives (train) | kept terms | iterations | "
          "held-out precision | recall | F1 |\n|---|---|---|---|---|---|---|\n";

  for (const Target& target : targets) {
    std::vector<learn::SparseExample> data = examples(train, target.label);
    if (target.category == "insult") {
      // The label says "addresses a target"; the words that make it so must
      // not, alone, make a post an insult ("bọn trẻ con", "mày đi đâu"):
      // the model learns from the abuse around them instead.
      for (learn::SparseExample& e : data) {
        std::erase_if(e.features, [&](int32_t f) { return target_only[f]; });
      }
    }
    size_t positives = 0;
    for (const auto& e : data) positives += e.positive;
    const learn::LogisticModel model =
        learn::FitLogistic(data, static_cast<int32_t>(vocab.size()), {.c = c});
    // The lexicon file, strongest weights first.
    std::vector<int32_t> order;
    for (int32_t i = 0; i < static_cast<int32_t>(names.size()); ++i) {
      if (std::abs(model.weights[i]) >= min_weight) order.push_back(i);
    }
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
      if (model.weights[a] != model.weights[b]) {
        return model.weights[a] > model.weights[b];
      }
      return names[a] < names[b];
    });
    const std::string path = out_dir + "/" + target.category + ".tsv";
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) {
      err << "vigil train: cannot write " << path << "\n";
      return 1;
    }
    file << "# Learned " << target.category
         << " lexicon: generated by `vigil train` (see MODEL_CARD.md); do "
            "not edit.\n"
         << "# Weights are logistic-regression coefficients of syllable "
            "n-grams, learned from ViHOS (MIT, LICENSES/vihos.txt).\n"
         << "@learned\t" << target.category << "\tbias=" << Fixed(model.bias, 4)
         << "\n";
    for (int32_t i : order) {
      file << names[i] << "\t" << Fixed(model.weights[i], 4) << "\n";
    }
    file.close();
    if (!file) {
      err << "vigil train: error writing " << path << "\n";
      return 1;
    }
    // Held-out quality of this model alone at probability 0.5.
    score::Confusion m(2);
    for (const auto& e : examples(test, target.label)) {
      m.Add(e.positive, model.Probability(e.features) >= 0.5);
    }
    card << "| " << target.category << " | " << positives << " | "
         << order.size() << " | " << model.iterations << " | "
         << Fixed(m.Precision(1), 4) << " | " << Fixed(m.Recall(1), 4) << " | "
         << Fixed(m.F1(1), 4) << " |\n";
    out << "vigil train: " << target.category << ": " << order.size()
        << " terms, bias " << Fixed(model.bias, 4) << ", " << model.iterations
        << " iterations, held-out F1 " << Fixed(m.F1(1), 4) << " -> " << path
        << "\n";
  }
  card << "\nHeld-out figures are for each model alone at probability 0.5 on "
          "its own weak label; the combined quality on ViHSD (curated + "
          "learned, thresholds from manifest.tsv) is measured with `vigil "
          "eval` and reported in README.md.\n";
  const std::string card_path = out_dir + "/MODEL_CARD.md";
  std::ofstream card_file(card_path, std::ios::binary | std::ios::trunc);
  card_file << card.str();
  if (!card_file) {
    err << "vigil train: cannot write " << card_path << "\n";
    return 1;
  }
  out << "vigil train: model card -> " << card_path << "\n";
  return 0;
}

}  // namespace vigil::cli
