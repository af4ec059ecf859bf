// Backtest: what a candidate lexicon would have done to the posts already
// in the review store, before it serves.
//
// RunBacktest reads the store's items (the flagged and the sample queue),
// page by page in time order, and re-analyzes each stored text twice: with
// the lexicon serving now ("before") and with the candidate ("after"). It
// counts, per category, the items each flags and the items the candidate
// newly flags or stops flagging; per term, the items it newly hits or no
// longer hits; and, with analysts' decisions as labels
// (DecidedHarmfulMask), precision and recall before and after with 95%
// Wilson intervals. Both sides are re-analyzed, rather than the stored
// verdict taken as "before", because stored verdicts come from whichever
// lexicon served when each post arrived: the difference then measures the
// candidate alone. Memory is bounded: counters per category and per term
// hit, and at most max_item_ids ids behind each number; the items are never
// all held at once.
//
// Example:
//   auto before = Analyzer::Load("lexicons");
//   auto after = Analyzer::Load("/tmp/candidate");
//   BacktestOptions options;
//   options.since = absl::Now() - absl::Hours(24 * 30);
//   absl::StatusOr<v1::BacktestReport> report =
//       RunBacktest(*store, **before, **after, options);
//   // report->categories(1).gained(): items newly flagged as insults
//
// Thread safety: RunBacktest may run on any thread while the store serves
// others; the analyzers are only read.
#ifndef VIGIL_SERVICE_BACKTEST_BACKTEST_H_
#define VIGIL_SERVICE_BACKTEST_BACKTEST_H_

#include <functional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "analyzers/analyzer.h"
#include "service/store/flag_store.h"
#include "vigil/v1/admin.pb.h"

namespace vigil::service {

struct BacktestOptions {
  // Items last flagged (or sampled) in [since, until). `until` defaults to
  // the time the backtest starts, so items flagged while it runs (which
  // would move in the time order it pages through) are left out.
  absl::Time since = absl::InfinitePast();
  absl::Time until = absl::InfiniteFuture();
  // Ids listed behind each number, and terms listed (most changed first).
  int max_item_ids = 20;
  int max_terms = 100;
  // Items read from the store per page.
  int page_size = 500;
  // Called after each page, on the calling thread.
  std::function<void(const v1::BacktestProgress&)> progress;
  // Polled before each page; returning true stops the backtest with
  // CANCELLED.
  std::function<bool()> cancelled;
};

// The report of re-analyzing `store`'s items with `before` and `after`.
// `report.directory` is left for the caller. Errors: the store's
// (UNAVAILABLE, ...), CANCELLED, INVALID_ARGUMENT for bad options.
absl::StatusOr<v1::BacktestReport> RunBacktest(FlagStore& store,
                                               const Analyzer& before,
                                               const Analyzer& after,
                                               const BacktestOptions& options);

// k of n as a Share message: its value and 95% Wilson interval when n > 0.
v1::Share ShareOf(int64_t k, int64_t n);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_BACKTEST_BACKTEST_H_
