#include "tools/cli/training_data.h"

#include <cstdio>
#include <ostream>
#include <sstream>

#include "absl/time/time.h"
#include "analyzers/util/strings.h"
#include "service/store/flag_store.h"
#include "service/store/workflow.h"
#include "tools/cli/datasets.h"
#include "tools/cli/store_access.h"

namespace vigil::cli {
namespace {

bool ParseNumber(const ParsedFlags& flags, const std::string& name, double min,
                 double max, double* out, std::string* error) {
  if (!flags.values.count(name)) return true;
  const std::string text = flags.Get(name);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= min && v <= max)) {
    *error = StrCat("bad value '", text, "' for ", name);
    return false;
  }
  *out = v;
  return true;
}

bool Uses(const TrainingData& data, const std::string& format) {
  for (const std::string& f : data.formats) {
    if (f == format) return true;
  }
  return false;
}

// "YYYY-MM-DD" of a timestamp (UTC).
std::string DateOf(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

}  // namespace

bool LoadStoreDecisions(const std::string& url, int weight, TrainingData* out,
                        std::ostream& err) {
  auto store = OpenExistingStore(url, err);
  if (store == nullptr) return false;
  StoreDecisions d;
  d.store = service::RedactStoreUrl(url);
  d.weight = weight;
  for (v1::Queue queue : {v1::QUEUE_FLAGGED, v1::QUEUE_SAMPLE}) {
    v1::ListQueueRequest request;
    request.mutable_filter()->set_queue(queue);
    request.mutable_filter()->add_statuses(v1::ITEM_STATUS_ACTIONED);
    request.mutable_filter()->add_statuses(v1::ITEM_STATUS_DISMISSED);
    request.set_order(v1::QUEUE_ORDER_TIME);
    request.set_page_size(500);
    while (true) {
      auto page = store->ListQueue(request);
      if (!page.ok()) {
        err << "vigil: cannot read the store " << d.store << ": "
            << page.status().message() << "\n";
        return false;
      }
      for (const v1::ReviewItem& item : page->items()) {
        if (item.has_text_erased_at() || item.post().text().empty()) {
          ++d.erased;
          continue;
        }
        // The page holds decided items only.
        const int64_t mask = service::DecidedHarmfulMask(item).value_or(0);
        const bool harmful = item.status() == v1::ITEM_STATUS_ACTIONED;
        learn::LabeledComment comment;
        comment.text = item.post().text();
        comment.per_category = true;
        comment.categories = static_cast<uint32_t>(mask);
        if (queue == v1::QUEUE_SAMPLE) {
          ++(harmful ? d.sample_harmful : d.sample_harmless);
        } else {
          ++(harmful ? d.actioned : d.dismissed);
        }
        const std::string date = DateOf(item.decided_at());
        if (d.first_decided.empty() || date < d.first_decided) {
          d.first_decided = date;
        }
        if (date > d.last_decided) d.last_decided = date;
        for (int i = 0; i < weight; ++i) out->comments.push_back(comment);
      }
      if (page->next_page_token().empty()) break;
      request.set_page_token(page->next_page_token());
    }
  }
  out->decisions = d;
  return true;
}

bool AddStoreDecisions(const ParsedFlags& flags, TrainingData* out,
                       std::ostream& err) {
  if (flags.Get("--from-store").empty()) {
    if (!flags.Get("--store-weight").empty()) {
      err << "vigil: --store-weight needs --from-store\n";
      return false;
    }
    return true;
  }
  double weight = 1;
  std::string error;
  if (!ParseNumber(flags, "--store-weight", 1, 1000, &weight, &error) ||
      weight != static_cast<int>(weight)) {
    err << "vigil: "
        << (error.empty() ? "--store-weight takes a whole number" : error)
        << "\n";
    return false;
  }
  return LoadStoreDecisions(flags.Get("--from-store"), static_cast<int>(weight),
                            out, err);
}

bool ParseTrainerOptions(const ParsedFlags& flags,
                         learn::TrainerOptions* options, std::string* error) {
  double min_df = options->min_df, max_n = options->max_n,
         min_positives = options->min_positives;
  if (!ParseNumber(flags, "--c", 1e-6, 1e6, &options->c, error) ||
      !ParseNumber(flags, "--min-df", 1, 1e6, &min_df, error) ||
      !ParseNumber(flags, "--max-n", 1, 5, &max_n, error) ||
      !ParseNumber(flags, "--min-weight", 0, 20, &options->min_weight, error) ||
      !ParseNumber(flags, "--length-norm", 0, 1e6, &options->length_norm,
                   error) ||
      !ParseNumber(flags, "--min-positives", 1, 1e6, &min_positives, error)) {
    return false;
  }
  if (min_df != static_cast<int>(min_df) || max_n != static_cast<int>(max_n) ||
      min_positives != static_cast<int>(min_positives)) {
    *error = "--min-df, --max-n and --min-positives take whole numbers";
    return false;
  }
  options->min_df = static_cast<int>(min_df);
  options->max_n = static_cast<int>(max_n);
  options->min_positives = static_cast<int>(min_positives);
  options->unaccented_copies = !flags.Has("--no-unaccented-copies");
  return true;
}

bool LoadTrainingData(const std::string& files, const std::string& stopwords,
                      const Analyzer& analyzer, TrainingData* out,
                      std::ostream& err) {
  for (std::string_view f : SplitChar(files, ',')) {
    std::vector<std::string> problems;
    absl::StatusOr<Dataset> d = ReadDataset(std::string(f), "", &problems);
    for (const std::string& p : problems) err << "vigil: " << p << "\n";
    if (!d.ok()) {
      err << "vigil: " << d.status().message() << "\n";
      return false;
    }
    if (!MayTeach(d->format)) {
      err << "vigil: " << f << ": " << d->format
          << " may not teach shipped weights (its license allows measuring "
             "only; see ../shared/data/README.md)\n";
      return false;
    }
    for (const DatasetRow& row : d->rows) {
      learn::LabeledComment c;
      c.text = row.text;
      if (d->format == "synthetic") {
        c.per_category = true;
        c.categories = row.categories;
      } else if (d->format == "vihos") {
        c.label = row.toxic ? learn::Label::kToxic : learn::Label::kClean;
      } else {
        c.label = row.vihsd_label == 2   ? learn::Label::kTargeted
                  : row.vihsd_label == 1 ? learn::Label::kOffensive
                                         : learn::Label::kClean;
      }
      out->comments.push_back(std::move(c));
    }
    out->files.emplace_back(f);
    out->formats.push_back(d->format);
    out->counts.push_back(d->rows.size());
  }
  absl::StatusOr<std::unordered_set<std::string>> words =
      learn::LoadStopWords(stopwords, analyzer.normalizer());
  if (!words.ok()) {
    err << "vigil: " << words.status().message() << "\n";
    return false;
  }
  out->stopwords = std::move(*words);
  return true;
}

std::string LearnedNotice(const std::string& category,
                          const TrainingData& data) {
  std::string notice =
      StrCat("# Learned ", category,
             " lexicon: generated by `vigil train` (see MODEL_CARD.md); do "
             "not edit.\n# Weights are logistic-regression coefficients of "
             "syllable n-grams, learned from:\n");
  if (Uses(data, "vihos")) {
    notice += "#   ViHOS, MIT License (LICENSES/vihos.txt)\n";
  }
  if (Uses(data, "thienit84")) {
    notice +=
        "#   thienit84 Vietnamese hate-speech comments, CC BY-SA 4.0\n"
        "#   (LICENSES/thienit84.txt). This file is a derived work of that\n"
        "#   dataset and is itself licensed CC BY-SA 4.0.\n";
  }
  if (Uses(data, "synthetic")) {
    notice +=
        "#   vigil's synthetic posts per category (written for this "
        "project)\n";
  }
  return notice;
}

std::string ModelCard(const std::string& date, const TrainingData& data,
                      const learn::TrainerOptions& options,
                      const std::vector<learn::LearnedModel>& models) {
  std::ostringstream card;
  card << "# Model card: vigil learned lexicons\n\n"
       << "Generated by `vigil train` on " << date
       << "; do not edit by hand (regenerate with the command in "
          "README.md).\n\n## Data\n\n";
  for (size_t i = 0; i < data.files.size(); ++i) {
    card << "- `" << data.files[i] << "` (" << data.formats[i]
         << "): " << data.counts[i] << " comments\n";
  }
  if (data.decisions) {
    const StoreDecisions& d = *data.decisions;
    card << "- analysts' decisions from the review store `" << d.store
         << "`, decided " << (d.first_decided.empty() ? "-" : d.first_decided)
         << " to " << (d.last_decided.empty() ? "-" : d.last_decided)
         << ", each counted " << d.weight << " time"
         << (d.weight == 1 ? "" : "s") << ": " << d.actioned
         << " flagged items actioned (positives of their decided categories), "
         << d.dismissed
         << " dismissed (negatives of every category), sampled unflagged posts "
            "labeled harmful "
         << d.sample_harmful << " and harmless " << d.sample_harmless;
    if (d.erased > 0) {
      card << "; " << d.erased << " decided items without text (retention) "
           << "skipped";
    }
    card << "\n";
  }
  card << "\nLicenses: ViHOS is MIT (lexicons/LICENSES/vihos.txt)";
  if (Uses(data, "thienit84")) {
    card << "; thienit84 is CC BY-SA 4.0 (lexicons/LICENSES/thienit84.txt), "
            "so the learned files derived from it are CC BY-SA 4.0 too";
  }
  card << ". ViHSD, ViCTSD and ViLexNorm (measuring only) taught nothing: "
          "`vigil train` refuses them. ViHSD picks the thresholds in "
          "manifest.tsv, on out-of-fold scores (`vigil eval --crossfit`).\n\n"
       << "Labels: ViHOS comments with spans are toxic; a toxic comment is "
          "targeted (insult) when a curated insult, hate or threat term is "
          "hit in it or it contains one of:";
  for (std::string_view w : learn::TargetWords()) card << " " << w;
  card << "; otherwise offensive (profanity). thienit84: OFFENSIVE = "
          "profanity, HATE = insult. Synthetic posts (written for this "
          "project) are positives of their categories and negatives of the "
          "others; the hate, threat, sexual, self_harm, scam and spam models "
          "learn from them and from real CLEAN comments only. A category "
          "gets a model with at least "
       << options.min_positives
       << " positives.\n\n## Features and hyper-parameters\n\n"
       << "- Distinct syllable 1-" << options.max_n
       << "-grams of the canonical view in at least " << options.min_df
       << " examples, each with a syllable that is neither a single letter "
          "nor a stop word (lexicons/stopwords.txt): "
       << (models.empty() ? 0 : models[0].features) << " features.\n"
       << "- Unaccented copies: "
       << (options.unaccented_copies
               ? "every comment is also learned written without diacritics."
               : "no.")
       << "\n- Length normalization: "
       << (options.length_norm > 0
               ? StrCat("features of a post of w > L words have the value "
                        "1/sqrt(w/L), L = ",
                        learn::Fixed(options.length_norm, 1), ".")
               : std::string("none."))
       << "\n- L2-regularized logistic regression, C = "
       << learn::Fixed(options.c, 3)
       << ", bias not regularized, L-BFGS, full batch; no randomness.\n"
       << "- Weights with |w| < " << learn::Fixed(options.min_weight, 3)
       << " are left out of the files.\n\n## Models\n\n"
       << "| category | examples | positives | kept terms | iterations |\n"
       << "|---|---|---|---|---|\n";
  for (const learn::LearnedModel& m : models) {
    card << "| " << m.category << " | " << m.examples << " | " << m.positives
         << " | " << m.terms.size() << " | " << m.iterations << " |\n";
  }
  card << "\nQuality: measured only with `vigil eval --crossfit` (every "
          "labeled row scored by a model refitted without its text); the "
          "figures are in README.md.\n";
  return card.str();
}

}  // namespace vigil::cli
