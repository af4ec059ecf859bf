// `vigil train`: fits the learned lexicons (analyzers/learn/trainer.h) on
// labeled comments whose licenses allow it and writes them as lexicon files
// plus a model card. Quality is measured by `vigil eval --crossfit`, which
// refits the same trainer on folds; nothing here is random: the same data,
// options and build give the same bytes.
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>

#include "analyzers/learn/trainer.h"
#include "analyzers/util/strings.h"
#include "tools/cli/commands.h"
#include "tools/cli/datasets.h"
#include "tools/cli/flags.h"
#include "tools/cli/paths.h"
#include "tools/cli/training_data.h"

namespace vigil::cli {
namespace {

constexpr char kUsage[] =
    "usage: vigil train --train FILE[,FILE...] --date YYYY-MM-DD\n"
    "                   [--lexicons DIR] [--out DIR] [--stopwords FILE]\n"
    "                   [--c 3] [--min-df 2] [--max-n 3] [--min-weight 0.15]\n"
    "                   [--length-norm 0] [--min-positives 40]\n"
    "                   [--no-unaccented-copies]\n"
    "                   [--from-store URL [--store-weight 1]]\n"
    "Fits the learned insult and profanity lexicons on labeled comments\n"
    "(ViHOS CSV: content, index_spans; thienit84 CSV: input_text, label) and\n"
    "writes DIR/insult.tsv, DIR/profanity.tsv and DIR/MODEL_CARD.md (default\n"
    "DIR: <lexicons>/learned). Datasets for measuring only (ViHSD, ViCTSD)\n"
    "are refused. Deterministic: same inputs, same bytes.\n"
    "--from-store adds analysts' decisions from the review store (vigil\n"
    "serve --store URL; items are only read): actioned items are positives\n"
    "of their decided categories, dismissed ones negatives, labeled sampled\n"
    "posts both ways; each counts --store-weight times. The model card says\n"
    "how many and from when; measure the result with vigil eval --crossfit\n"
    "and the same flags before installing it.\n";

}  // namespace

int RunTrain(const std::vector<std::string>& args, const char* argv0,
             std::ostream& out, std::ostream& err) {
  ParsedFlags flags =
      ParseFlags(args,
                 {"--train", "--date", "--lexicons", "--out", "--c", "--min-df",
                  "--max-n", "--min-weight", "--length-norm", "--stopwords",
                  "--min-positives", "--from-store", "--store-weight"},
                 {"--no-unaccented-copies", "-h", "--help"});
  if (flags.Has("-h") || flags.Has("--help")) {
    out << kUsage;
    return 0;
  }
  learn::TrainerOptions options;
  std::string option_error;
  if (!ParseTrainerOptions(flags, &options, &option_error) ||
      !flags.error.empty() || flags.Get("--train").empty() ||
      flags.Get("--date").size() != 10 || !flags.positional.empty()) {
    err << "vigil train: "
        << (!flags.error.empty()    ? flags.error
            : !option_error.empty() ? option_error
                                    : "--train and --date YYYY-MM-DD are "
                                      "required")
        << "\n"
        << kUsage;
    return 2;
  }
  const std::string lexicons = LexiconDir(flags.Get("--lexicons"), argv0);
  const std::string out_dir = flags.Get("--out", lexicons + "/learned");
  // Weak labels and normalization come from the curated lexicons alone.
  auto analyzer = LoadAnalyzerOrReport(lexicons, argv0, "vigil train", err,
                                       {.learned = false});
  if (!analyzer) return 1;
  TrainingData data;
  if (!LoadTrainingData(flags.Get("--train"),
                        flags.Get("--stopwords", lexicons + "/stopwords.txt"),
                        *analyzer, &data, err)) {
    return 1;
  }
  if (!AddStoreDecisions(flags, &data, err)) return 1;
  absl::StatusOr<std::vector<learn::LearnedModel>> models =
      learn::Train(*analyzer, data.comments, data.stopwords, options);
  if (!models.ok()) {
    err << "vigil train: " << models.status().message() << "\n";
    return 1;
  }
  for (const learn::LearnedModel& model : *models) {
    const std::string path = out_dir + "/" + model.category + ".tsv";
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << learn::LearnedFileText(model, LearnedNotice(model.category, data));
    file.close();
    if (!file) {
      err << "vigil train: cannot write " << path << "\n";
      return 1;
    }
    out << "vigil train: " << model.category << ": " << model.terms.size()
        << " terms, bias " << learn::Fixed(model.bias, 4) << ", "
        << model.iterations << " iterations -> " << path << "\n";
  }
  const std::string card_path = out_dir + "/MODEL_CARD.md";
  std::ofstream card(card_path, std::ios::binary | std::ios::trunc);
  card << ModelCard(flags.Get("--date"), data, options, *models);
  card.close();
  if (!card) {
    err << "vigil train: cannot write " << card_path << "\n";
    return 1;
  }
  out << "vigil train: model card -> " << card_path << "\n";
  return 0;
}

}  // namespace vigil::cli
