// What `vigil train` and `vigil eval --crossfit` share: the trainer's
// flags, the training comments read from dataset files (only those whose
// license lets them teach shipped weights), the license notice of the
// learned files, and the model card.
#ifndef VIGIL_TOOLS_CLI_TRAINING_DATA_H_
#define VIGIL_TOOLS_CLI_TRAINING_DATA_H_

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "analyzers/analyzer.h"
#include "analyzers/learn/trainer.h"
#include "tools/cli/flags.h"

namespace vigil::cli {

// What --from-store added to the training comments: analysts' decisions.
struct StoreDecisions {
  std::string store;  // the URL, password redacted
  int weight = 1;     // each decision counts this many times
  // Flagged items decided actioned (positives of their decided categories,
  // or of the flagged ones when the analyst named none) and dismissed
  // (negatives of every category).
  int64_t actioned = 0, dismissed = 0;
  // Sampled items labeled harmful (positives of the labeled categories) or
  // harmless (negatives).
  int64_t sample_harmful = 0, sample_harmless = 0;
  int64_t erased = 0;  // decided items whose text retention erased: skipped
  std::string first_decided, last_decided;  // UTC dates, "YYYY-MM-DD"
};

struct TrainingData {
  std::vector<learn::LabeledComment> comments;
  std::vector<std::string> files;    // as given
  std::vector<std::string> formats;  // of each file
  std::vector<size_t> counts;        // comments of each file
  std::unordered_set<std::string> stopwords;
  std::optional<StoreDecisions> decisions;  // with --from-store
};

// --c, --min-df, --max-n, --min-weight, --length-norm, --min-positives and
// --no-unaccented-copies into `options`; false with `*error` on a bad
// value.
bool ParseTrainerOptions(const ParsedFlags& flags,
                         learn::TrainerOptions* options, std::string* error);

// Reads the comma-separated dataset files in `files` and the stop words;
// prints problems to `err` and returns false on an unreadable file or a
// dataset whose license does not allow teaching (ViHSD, ViCTSD).
bool LoadTrainingData(const std::string& files, const std::string& stopwords,
                      const Analyzer& analyzer, TrainingData* out,
                      std::ostream& err);

// Adds the decided items of the review store at `url` (flagged items
// actioned or dismissed, sampled items labeled) to `out->comments` as
// per-category examples, each `weight` times, and records what it added in
// `out->decisions`. Only reads items (opening a store of an older schema
// migrates it, as vigil serve would). Prints the problem to `err` and returns
// false when the store cannot be read or a SQLite file does not exist.
bool LoadStoreDecisions(const std::string& url, int weight, TrainingData* out,
                        std::ostream& err);
// LoadStoreDecisions with the flags --from-store URL and --store-weight N
// (1 to 1000, default 1); true and nothing added without --from-store.
bool AddStoreDecisions(const ParsedFlags& flags, TrainingData* out,
                       std::ostream& err);

// The comment lines that head a learned lexicon file: what it is and the
// licenses of the data it derives from (thienit84 makes it CC BY-SA 4.0).
std::string LearnedNotice(const std::string& category,
                          const TrainingData& data);

// MODEL_CARD.md for models trained on `data` on `date`.
std::string ModelCard(const std::string& date, const TrainingData& data,
                      const learn::TrainerOptions& options,
                      const std::vector<learn::LearnedModel>& models);

}  // namespace vigil::cli

#endif  // VIGIL_TOOLS_CLI_TRAINING_DATA_H_
