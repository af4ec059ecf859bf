// Trainer: fits the learned lexicons (one logistic model per category that
// has enough labeled positives) from labeled comments — what `vigil train`
// ships and what `vigil eval --crossfit` refits on each fold.
//
//   std::vector<learn::LabeledComment> data = ...;  // ViHOS, thienit84, ...
//   absl::StatusOr<std::vector<learn::LearnedModel>> models =
//       learn::Train(*curated_analyzer, data, stopwords, {});
//   learn::LearnedFileText((*models)[0], notice);  // a lexicon file
//
// Labels. A real comment is CLEAN, OFFENSIVE (vulgar, aimed at no one: the
// profanity model's positives) or TARGETED (abuse aimed at a person or a
// group: the insult model's positives). Sources that label only "toxic"
// (ViHOS spans) are split by a rule: a toxic comment is targeted when a
// curated insult, hate or threat term is hit in it or it addresses or names
// a target (TargetWords()). Posts labeled per category (the synthetic set)
// are positives of their categories and negatives of the others. The other
// categories' models (hate, threat, sexual, self_harm, scam, spam) learn
// from per-category posts and from real CLEAN comments only: a real toxic
// comment might be a threat or not, so it teaches them nothing.
//
// Features. Distinct syllable 1..max_n-grams of the canonical view, in at
// least min_df training comments, that are stable under normalization and
// contain at least one syllable that is neither a single letter nor a stop
// word (so "này", "với" or the "đ" of a dotted "đ.m" never become terms).
// With unaccented_copies each comment is also learned written without
// diacritics (its folded view, normalized again), so a post written without
// them is scored by weights learned from such text instead of by colliding
// accented n-grams. With length_norm L, each example's features have the
// value 1/sqrt(max(1, words / L)), which the scorer applies at run time
// (match::CategorySettings::LearnedScale), so long posts do not pile up
// weak evidence.
//
// Model: L2 logistic regression (learn/logistic.h), deterministic: the same
// data, options and build give the same weights.
//
// Thread safety: pure functions of their arguments.
#ifndef VIGIL_ANALYZERS_LEARN_TRAINER_H_
#define VIGIL_ANALYZERS_LEARN_TRAINER_H_

#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "analyzers/analyzer.h"

namespace vigil::learn {

enum class Label : uint8_t { kClean, kOffensive, kTargeted, kToxic };

struct LabeledComment {
  std::string text;
  // kToxic: toxic, target unknown (ViHOS); the trainer decides with the
  // target rule.
  Label label = Label::kClean;
  // Posts labeled per category (the synthetic set): `categories` (bit i =
  // match::Category i) is the whole truth and `label` is ignored.
  bool per_category = false;
  uint32_t categories = 0;
};

struct TrainerOptions {
  double c = 3;
  int min_df = 2;
  int max_n = 3;
  // Smaller |weights| are left out of the files: measured with
  // --crossfit, 0.15 costs nothing against 0.05 and halves the files (each
  // must fit a Kubernetes ConfigMap).
  double min_weight = 0.15;
  bool unaccented_copies = true;
  double length_norm = 0;  // 0: off
  // A category gets a model only with at least this many positive
  // comments (before unaccented copies).
  int min_positives = 40;
};

struct LearnedModel {
  std::string category;  // a category name
  double bias = 0;
  double length_norm = 0;
  // Kept terms (|w| >= min_weight), strongest first, ties by text.
  std::vector<std::pair<std::string, double>> terms;
  size_t positives = 0;  // training examples (copies included)
  size_t examples = 0;
  size_t features = 0;  // the vocabulary
  int iterations = 0;
};

// Words that address or name a target (second person, classifiers used as
// insults, group words): the target rule, and n-grams made only of them
// never carry insult weight alone ("bọn trẻ con chơi ngoài sân").
const std::vector<std::string_view>& TargetWords();

// The label of `comment` after the target rule, from the curated-only
// `analyzer`'s verdict on it.
Label ResolveLabel(const Analyzer& analyzer, const LabeledComment& comment);

// The stop words of a list file (one word or phrase a line, '#' comments):
// only single syllables are kept, in canonical form. (Their folded forms
// are not stop words: "ma" is mà but also má, "mom", in "đụ má"; measured,
// dropping them cost a tenth of the recall on unaccented posts.)
absl::StatusOr<std::unordered_set<std::string>> LoadStopWords(
    const std::string& path, const normalize::Normalizer& normalizer);

// Fits one model per category with at least options.min_positives
// positives, in category order. `curated` must be loaded without learned
// lexicons (it labels and normalizes). Fails on empty data.
absl::StatusOr<std::vector<LearnedModel>> Train(
    const Analyzer& curated, const std::vector<LabeledComment>& data,
    const std::unordered_set<std::string>& stopwords,
    const TrainerOptions& options);

// The lexicon file of `model` (lexicons/README.md, "Learned lexicon
// files"), headed by `notice` (comment lines, each starting with "# ").
std::string LearnedFileText(const LearnedModel& model, std::string_view notice);

// "0.1235" with `digits` decimals; never "-0.0000".
std::string Fixed(double x, int digits);

}  // namespace vigil::learn

#endif  // VIGIL_ANALYZERS_LEARN_TRAINER_H_
