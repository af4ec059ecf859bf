// Quality metrics for `vigil eval` and the dataset tests: a confusion matrix
// with per-class precision/recall/F1 and macro-F1, and the mapping from
// vigil's categories to ViHSD's labels.
//
// Thread safety: plain values; not synchronized.
#ifndef VIGIL_ANALYZERS_SCORE_METRICS_H_
#define VIGIL_ANALYZERS_SCORE_METRICS_H_

#include <cstdint>
#include <vector>

#include "analyzers/match/category.h"

namespace vigil::score {

// ViHSD's labels.
enum ViHsdLabel : int { kClean = 0, kOffensive = 1, kHate = 2 };

// The ViHSD label of a verdict's flagged categories (bit i = Category i): a
// post flagged hate, insult or threat is HATE; otherwise one flagged
// profanity or sexual is OFFENSIVE; otherwise CLEAN (self_harm, scam and
// spam have no ViHSD counterpart).
int ToViHsdLabel(uint32_t flagged_categories);

// True for the categories ViHSD's labels cover.
bool IsViHsdCategory(match::Category c);

// A confusion matrix over classes 0..n-1.
class Confusion {
 public:
  explicit Confusion(int classes) : n_(classes), m_(classes * classes, 0) {}

  void Add(int gold, int predicted) { ++m_[gold * n_ + predicted]; }

  double Precision(int c) const;
  double Recall(int c) const;
  double F1(int c) const;
  long Support(int c) const;  // gold count of class c
  double MacroF1() const;
  int classes() const { return n_; }

 private:
  int n_;
  std::vector<long> m_;  // gold-major
};

}  // namespace vigil::score

#endif  // VIGIL_ANALYZERS_SCORE_METRICS_H_
