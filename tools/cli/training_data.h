// What `vigil train` and `vigil eval --crossfit` share: the trainer's
// flags, the training comments read from dataset files (only those whose
// license lets them teach shipped weights), the license notice of the
// learned files, and the model card.
#ifndef VIGIL_TOOLS_CLI_TRAINING_DATA_H_
#define VIGIL_TOOLS_CLI_TRAINING_DATA_H_

#include <iosfwd>
#include <string>
#include <unordered_set>
#include <vector>

#include "analyzers/analyzer.h"
#include "analyzers/learn/trainer.h"
#include "tools/cli/flags.h"

namespace vigil::cli {

struct TrainingData {
  std::vector<learn::LabeledComment> comments;
  std::vector<std::string> files;    // as given
  std::vector<std::string> formats;  // of each file
  std::vector<size_t> counts;        // comments of each file
  std::unordered_set<std::string> stopwords;
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
