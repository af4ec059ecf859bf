// `vigil eval`: measures the analyzer on labeled datasets, honestly.
//
// Plain mode scores every row with the lexicon as it is. --trained-on
// FILES names what the learned lexicons were fitted on: rows whose
// normalized text occurs there are left out (and counted), since a figure
// on training text says nothing about new posts.
//
// Cross-fitted mode (--crossfit K --train FILES) is how vigil reports its
// quality. The training comments are split into K folds by a hash of their
// normalized text (so duplicates share a fold); K models are refitted, each
// without one fold, and written as lexicon directories beside the curated
// files. Every evaluated row is scored by the model of its fold: the fold of
// its text when the text is a training comment (ViHSD's toxic rows are
// ViHOS comments), its own hash's fold otherwise, so no row is ever scored by
// a model that saw its text — checked row by row, and the run fails if one
// is. The learned thresholds are then picked on those out-of-fold scores of
// the ViHSD rows (3-class macro-F1), written into the fold manifests, and
// every dataset is scored again for the report.
//
// Each dataset is also scored written without diacritics and in three
// evasions of 30% of its words (letters split by dots, a letter starred,
// letters split by spaces), to show what they cost.
//
// The other categories' thresholds maximize their F1 on the synthetic rows
// while flagging at most kMaxCleanFlagged of ViHSD's CLEAN rows (real posts:
// the synthetic set's prevalence is far above a real feed's).
//
// Mapping to ViHSD's classes: a post flagged hate, insult or threat is HATE;
// otherwise one flagged profanity or sexual is OFFENSIVE; otherwise CLEAN.
#include <unicode/utf8.h>

#include <array>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "analyzers/learn/trainer.h"
#include "analyzers/match/lexicon_files.h"
#include "analyzers/normalize/vietnamese.h"
#include "analyzers/score/metrics.h"
#include "analyzers/util/strings.h"
#include "tools/cli/commands.h"
#include "tools/cli/datasets.h"
#include "tools/cli/eval_report.h"
#include "tools/cli/eval_variants.h"
#include "tools/cli/flags.h"
#include "tools/cli/paths.h"
#include "tools/cli/training_data.h"

namespace vigil::cli {
namespace {

namespace fs = std::filesystem;
using match::Category;
using score::Confusion;

constexpr double kMaxCleanFlagged = 0.002;

constexpr char kUsage[] =
    "usage: vigil eval [--lexicons DIR] [--curated-only] [--format F]\n"
    "                  [--trained-on FILE[,FILE...]] FILE...\n"
    "       vigil eval --crossfit K --train FILE[,FILE...] [trainer flags of\n"
    "                  `vigil train`] [--lexicons DIR] FILE...\n"
    "--language-model FILE reads unaccented posts with that model instead\n"
    "of the lexicons' own (one built without the evaluated comments).\n"
    "Scores labeled datasets (ViHSD, ViHOS, thienit84, ViCTSD CSV; synthetic\n"
    "JSONL; told apart by their columns) and prints precision, recall and F1,\n"
    "also for unaccented and evasion-perturbed copies. --crossfit scores "
    "every\n"
    "row with a model refitted without its text and picks the learned\n"
    "thresholds on the out-of-fold ViHSD scores. With --crossfit,\n"
    "--from-store URL [--store-weight N] adds analysts' decisions to the\n"
    "training comments as `vigil train` does.\n";

// ---- Cross-fitting --------------------------------------------------------

// The normalized text a row is matched on.
std::string Key(const normalize::Normalizer& n, std::string_view text) {
  return n.Normalize(text).canonical();
}

// Copies the lexicon directory `from` to `to` (its files and folders, but
// not its learned files, which `models` replace when given), with the
// language model file `language_model` in place of the manifest's when it
// is not empty.
absl::Status CopyLexiconDir(const std::string& from, const std::string& to,
                            const std::string& language_model) {
  std::error_code ec;
  fs::remove_all(to, ec);
  fs::create_directories(to, ec);
  fs::copy(from, to, fs::copy_options::recursive, ec);
  if (ec) return absl::InternalError(StrCat(to, ": ", ec.message()));
  if (language_model.empty()) return absl::OkStatus();
  const match::LexiconFiles files = match::LexiconFiles::Read(from, false);
  if (files.manifest().language_model.empty()) {
    return absl::InvalidArgumentError(
        StrCat(from, "/manifest.tsv names no language_model to replace"));
  }
  fs::copy_file(
      language_model,
      files.Path(files.manifest().language_model).replace(0, from.size(), to),
      fs::copy_options::overwrite_existing, ec);
  if (ec)
    return absl::InternalError(StrCat(language_model, ": ", ec.message()));
  return absl::OkStatus();
}

// Copies the lexicon directory `from` to `to`, with `models` as its learned
// files and, when `thresholds` is given, those learned thresholds in its
// manifest.
absl::Status WriteFoldLexicon(const std::string& from, const std::string& to,
                              const std::vector<learn::LearnedModel>& models,
                              const std::map<std::string, double>& thresholds) {
  absl::Status copied = CopyLexiconDir(from, to, "");
  if (!copied.ok()) return copied;
  std::error_code ec;
  fs::remove_all(to + "/learned", ec);
  fs::create_directories(to + "/learned", ec);
  for (const learn::LearnedModel& m : models) {
    std::ofstream f(to + "/learned/" + m.category + ".tsv", std::ios::binary);
    f << learn::LearnedFileText(m, "# cross-fitting fold\n");
    if (!f) return absl::InternalError(StrCat(to, ": cannot write"));
  }
  // The manifest: one learned line per model, with its threshold from
  // `thresholds`, else the one the manifest had, else 0.5.
  std::ifstream in(to + "/manifest.tsv", std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string original = buffer.str();
  std::string manifest;
  std::map<std::string, std::string> had;
  for (std::string_view line : SplitChar(original, '\n')) {
    std::vector<std::string_view> cols = SplitChar(line, '\t');
    if (cols.size() == 4 && cols[0] == "learned") {
      had[std::string(cols[1])] = std::string(cols[3]);
    } else if (!line.empty()) {
      manifest += StrCat(line, "\n");
    }
  }
  for (const learn::LearnedModel& m : models) {
    std::string t = had.count(m.category) ? had[m.category] : "0.5";
    if (thresholds.count(m.category)) {
      t = learn::Fixed(thresholds.at(m.category), 4);
    }
    manifest += StrCat("learned\t", m.category, "\tlearned/", m.category,
                       ".tsv\t", t, "\n");
  }
  std::ofstream outm(to + "/manifest.tsv", std::ios::binary | std::ios::trunc);
  outm << manifest;
  return outm ? absl::OkStatus()
              : absl::InternalError(StrCat(to, ": cannot write manifest"));
}

}  // namespace

int RunEval(const std::vector<std::string>& args, const char* argv0,
            std::ostream& out, std::ostream& err) {
  ParsedFlags flags = ParseFlags(
      args,
      {"--format", "--lexicons", "--trained-on", "--crossfit", "--train", "--c",
       "--min-df", "--max-n", "--min-weight", "--length-norm", "--stopwords",
       "--min-positives", "--work-dir", "--language-model", "--from-store",
       "--store-weight"},
      {"--curated-only", "--no-unaccented-copies", "-h", "--help"});
  if (flags.Has("-h") || flags.Has("--help")) {
    out << kUsage;
    return 0;
  }
  int folds = 0;
  learn::TrainerOptions options;
  std::string option_error;
  const bool crossfit = flags.values.count("--crossfit");
  if (crossfit && !flags.GetWholeNumber("--crossfit", 2, 20, &folds)) {
    option_error = "--crossfit takes K in [2, 20]";
  }
  if (option_error.empty()) {
    ParseTrainerOptions(flags, &options, &option_error);
  }
  const std::string format = flags.Get("--format");
  if (option_error.empty() && !format.empty() && format != "vihos" &&
      format != "vihsd" && format != "thienit84" && format != "victsd" &&
      format != "synthetic") {
    option_error = StrCat("unknown --format '", format,
                          "' (vihos, vihsd, thienit84, victsd, synthetic)");
  }
  if (option_error.empty() && crossfit && flags.Get("--train").empty()) {
    option_error = "--crossfit needs --train FILE[,FILE...]";
  }
  if (option_error.empty() && crossfit && flags.Has("--curated-only")) {
    option_error = "--crossfit refits the learned lexicons: no --curated-only";
  }
  if (!flags.error.empty() || flags.positional.empty() ||
      !option_error.empty()) {
    err << "vigil eval: "
        << (!flags.error.empty()    ? flags.error
            : !option_error.empty() ? option_error
                                    : "give at least one FILE")
        << "\n"
        << kUsage;
    return 2;
  }
  std::string lexicons = LexiconDir(flags.Get("--lexicons"), argv0);
  std::string work = flags.Get(
      "--work-dir",
      (fs::temp_directory_path() / StrCat("vigil-eval-", ::getpid())).string());
  if (flags.values.count("--language-model")) {
    const std::string copy = StrCat(work, "/lexicons");
    absl::Status s =
        CopyLexiconDir(lexicons, copy, flags.Get("--language-model"));
    if (!s.ok()) {
      err << "vigil eval: " << s.message() << "\n";
      return 1;
    }
    lexicons = copy;
  }
  auto curated = LoadAnalyzerOrReport(lexicons, argv0, "vigil eval", err,
                                      {.learned = false});
  if (!curated) return 1;
  const normalize::Normalizer& normalizer = curated->normalizer();

  std::vector<Dataset> datasets;
  for (const std::string& path : flags.positional) {
    std::vector<std::string> problems;
    absl::StatusOr<Dataset> d =
        ReadDataset(path, flags.Get("--format"), &problems);
    if (!d.ok()) {
      err << "vigil eval: " << d.status().message() << "\n";
      return 1;
    }
    if (problems.size() > 0) {
      err << "vigil eval: " << problems[0] << " (" << problems.size()
          << " malformed rows skipped)\n";
    }
    datasets.push_back(std::move(*d));
  }
  const auto start = std::chrono::steady_clock::now();

  // The analyzer of each row: index into `analyzers`.
  std::vector<std::shared_ptr<const Analyzer>> analyzers;
  std::vector<std::vector<int>> model_of(datasets.size());
  std::vector<std::vector<char>> excluded(datasets.size());
  std::vector<std::unordered_set<std::string>> learned_from;  // per model
  // Every row's normalized text, what rows and training comments match on.
  std::vector<std::vector<std::string>> row_keys(datasets.size());
  for (size_t i = 0; i < datasets.size(); ++i) {
    for (const DatasetRow& row : datasets[i].rows) {
      row_keys[i].push_back(Key(normalizer, row.text));
    }
  }
  if (!crossfit) {
    auto a = LoadAnalyzerOrReport(lexicons, argv0, "vigil eval", err,
                                  {.learned = !flags.Has("--curated-only")});
    if (!a) return 1;
    analyzers.push_back(a);
    learned_from.emplace_back();
    if (flags.values.count("--trained-on")) {
      TrainingData seen;
      if (!LoadTrainingData(flags.Get("--trained-on"),
                            lexicons + "/stopwords.txt", *curated, &seen,
                            err)) {
        return 1;
      }
      for (const auto& c : seen.comments) {
        learned_from[0].insert(Key(normalizer, c.text));
      }
    }
    for (size_t i = 0; i < datasets.size(); ++i) {
      model_of[i].assign(datasets[i].rows.size(), 0);
      excluded[i].assign(datasets[i].rows.size(), 0);
      for (size_t r = 0; r < datasets[i].rows.size(); ++r) {
        excluded[i][r] = learned_from[0].count(row_keys[i][r]);
      }
    }
  } else {
    TrainingData data;
    if (!LoadTrainingData(flags.Get("--train"),
                          flags.Get("--stopwords", lexicons + "/stopwords.txt"),
                          *curated, &data, err)) {
      return 1;
    }
    // Analysts' decisions join the training comments (and their folds), so
    // a retrain with them is measured before it is installed.
    if (!AddStoreDecisions(flags, &data, err)) return 1;
    // Folds by normalized text.
    std::unordered_map<std::string, int> fold_of_text;
    std::vector<int> fold_of_comment;
    learned_from.resize(folds);
    for (const auto& c : data.comments) {
      const std::string key = Key(normalizer, c.text);
      const int fold = static_cast<int>(TextHash(key) % folds);
      fold_of_text.emplace(key, fold);
      fold_of_comment.push_back(fold);
      for (int k = 0; k < folds; ++k) {
        if (k != fold) learned_from[k].insert(key);
      }
    }
    for (size_t i = 0; i < datasets.size(); ++i) {
      excluded[i].assign(datasets[i].rows.size(), 0);
      for (const std::string& key : row_keys[i]) {
        auto it = fold_of_text.find(key);
        model_of[i].push_back(it != fold_of_text.end()
                                  ? it->second
                                  : static_cast<int>(TextHash(key) % folds));
      }
    }
    std::vector<std::vector<learn::LearnedModel>> fold_models(folds);
    for (int k = 0; k < folds; ++k) {
      std::vector<learn::LabeledComment> train;
      for (size_t i = 0; i < data.comments.size(); ++i) {
        if (fold_of_comment[i] != k) train.push_back(data.comments[i]);
      }
      absl::StatusOr<std::vector<learn::LearnedModel>> models =
          learn::Train(*curated, train, data.stopwords, options);
      if (!models.ok()) {
        err << "vigil eval: fold " << k << ": " << models.status().message()
            << "\n";
        return 1;
      }
      fold_models[k] = std::move(*models);
      err << "vigil eval: fold " << k + 1 << "/" << folds << " fitted on "
          << train.size() << " comments\n";
    }
    // Pass 1: out-of-fold scores of the ViHSD rows; pick the thresholds.
    auto load_folds = [&](const std::map<std::string, double>& t) -> bool {
      analyzers.clear();
      for (int k = 0; k < folds; ++k) {
        const std::string dir = StrCat(work, "/fold", k);
        absl::Status s = WriteFoldLexicon(lexicons, dir, fold_models[k], t);
        if (!s.ok()) {
          err << "vigil eval: " << s.message() << "\n";
          return false;
        }
        auto a = LoadAnalyzerOrReport(dir, argv0, "vigil eval", err);
        if (!a) return false;
        analyzers.push_back(a);
      }
      return true;
    };
    if (!load_folds({})) return 1;
    // The out-of-fold outcomes of every row of the datasets in `format`,
    // with the row's gold label as `gold(row)` gives it.
    auto out_of_fold = [&](const std::string& format, auto gold) {
      std::vector<std::pair<decltype(gold(DatasetRow{})), Outcome>> all;
      for (size_t i = 0; i < datasets.size(); ++i) {
        if (datasets[i].format != format) continue;
        for (size_t r = 0; r < datasets[i].rows.size(); ++r) {
          all.emplace_back(
              gold(datasets[i].rows[r]),
              Judge(*analyzers[model_of[i][r]], datasets[i].rows[r].text));
        }
      }
      return all;
    };
    const std::vector<std::pair<int, Outcome>> tune = out_of_fold(
        "vihsd", [](const DatasetRow& row) { return row.vihsd_label; });
    std::map<std::string, double> chosen;
    std::string tuned_note;
    if (!tune.empty()) {
      const match::Lexicon& lex = analyzers[0]->lexicon();
      std::array<double, match::kNumCategories> t{};
      for (int c = 0; c < match::kNumCategories; ++c) {
        t[c] = lex.settings(static_cast<Category>(c)).learned_threshold;
      }
      const int insult = static_cast<int>(Category::kInsult);
      const int profanity = static_cast<int>(Category::kProfanity);
      double best = -1;
      std::array<double, match::kNumCategories> best_t = t;
      for (double ti = 0.20; ti < 0.951; ti += 0.025) {
        for (double tp = 0.20; tp < 0.951; tp += 0.025) {
          t[insult] = ti;
          t[profanity] = tp;
          Confusion m(3);
          for (const auto& [gold, o] : tune) {
            m.Add(gold, score::ToViHsdLabel(FlagsAt(lex, o, t)));
          }
          if (m.MacroF1() > best + 1e-12) {
            best = m.MacroF1();
            best_t = t;
          }
        }
      }
      chosen["insult"] = best_t[insult];
      chosen["profanity"] = best_t[profanity];
      tuned_note = StrCat("(3-class macro-F1 ", F4(best), " on ", tune.size(),
                          " ViHSD rows)");
    }
    // The other learned categories: F1 of the category on the out-of-fold
    // scores of the rows labeled per category (the synthetic set).
    const std::vector<std::pair<uint32_t, Outcome>> per_category = out_of_fold(
        "synthetic", [](const DatasetRow& row) { return row.categories; });
    const match::Lexicon& lex = analyzers[0]->lexicon();
    for (const learn::LearnedModel& m : fold_models[0]) {
      if (m.category == "insult" || m.category == "profanity" ||
          per_category.empty()) {
        continue;
      }
      const int c = static_cast<int>(*match::ParseCategory(m.category));
      std::array<double, match::kNumCategories> t{};
      t.fill(2);  // other learned categories off: this one alone decides
      double best = -1, best_t = 0.5;
      for (double x = 0.025; x < 0.951; x += 0.025) {
        t[c] = x;
        // Real clean posts (ViHSD CLEAN, out of fold) flagged for c: at
        // most kMaxCleanFlagged of them, whatever the synthetic F1 says.
        long clean = 0, clean_flagged = 0;
        for (const auto& [gold, o] : tune) {
          if (gold != 0) continue;
          ++clean;
          clean_flagged += (FlagsAt(lex, o, t) >> c) & 1;
        }
        if (clean > 0 && clean_flagged > kMaxCleanFlagged * clean) continue;
        Confusion f(2);
        for (const auto& [gold, o] : per_category) {
          f.Add((gold >> c) & 1, (FlagsAt(lex, o, t) >> c) & 1);
        }
        if (f.F1(1) > best + 1e-12) {
          best = f.F1(1);
          best_t = x;
        }
      }
      chosen[m.category] = best_t;
      tuned_note += StrCat(" ", m.category, " F1 ", F4(best));
    }
    if (!chosen.empty()) {
      out << "learned thresholds picked on out-of-fold scores " << tuned_note
          << "; manifest.tsv lines:\n";
      for (const auto& [category, t] : chosen) {
        out << "  learned\t" << category << "\tlearned/" << category << ".tsv\t"
            << learn::Fixed(t, 4) << "\n";
      }
      if (!load_folds(chosen)) return 1;
    }
  }

  // The report: every dataset, as written and in each variant.
  size_t leaked = 0, posts = 0;
  out << "lexicon:  " << analyzers[0]->version()
      << (crossfit ? StrCat(" (learned lexicons refitted on ", folds,
                            " folds: out-of-fold scores)")
          : flags.Has("--curated-only") ? std::string(" (curated only)")
                                        : std::string())
      << "\n";
  for (size_t i = 0; i < datasets.size(); ++i) {
    const Dataset& d = datasets[i];
    std::array<Tally, kNumVariants> tallies;
    size_t left_out = 0;
    for (size_t r = 0; r < d.rows.size(); ++r) {
      if (excluded[i][r]) {
        ++left_out;
        continue;
      }
      const int m = model_of[i][r];
      if (learned_from[m].count(row_keys[i][r])) ++leaked;
      for (size_t v = 0; v < tallies.size(); ++v) {
        const std::string text = Perturb(
            d.rows[r].text, static_cast<Variant>(v), TextHash(d.rows[r].text));
        tallies[v].Add(d, d.rows[r], Judge(*analyzers[m], text));
        ++posts;
      }
    }
    PrintDataset(out, d, tallies, left_out);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  out << "\nrows scored by a model that learned their text: " << leaked << "\n";
  out << "time:     " << std::fixed << std::setprecision(1) << seconds << " s ("
      << posts << " posts scored)\n";
  if (!work.empty()) {
    std::error_code ec;
    if (!flags.values.count("--work-dir")) fs::remove_all(work, ec);
  }
  if (leaked > 0) {
    err << "vigil eval: " << leaked
        << " rows were scored by a model that learned their text: the "
           "figures are not held out\n";
    return 1;
  }
  return 0;
}

}  // namespace vigil::cli
