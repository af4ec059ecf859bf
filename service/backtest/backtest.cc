#include "service/backtest/backtest.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "analyzers/match/category.h"
#include "service/store/proto_time.h"
#include "service/store/sample_estimates.h"
#include "service/store/workflow.h"
#include "service/verdict_proto.h"

namespace vigil::service {
namespace {

// A count and the first ids behind it.
struct Tally {
  int64_t count = 0;
  std::vector<int64_t> ids;

  void Add(int64_t id, int max_ids) {
    ++count;
    if (static_cast<int>(ids.size()) < max_ids) ids.push_back(id);
  }

  // Appends the ids to `out`; returns the count.
  int64_t Report(google::protobuf::RepeatedField<int64_t>* out) const {
    out->Add(ids.begin(), ids.end());
    return count;
  }
};

struct CategoryTallies {
  int64_t flagged_before = 0, flagged_after = 0;
  Tally gained, lost;
  // Precision: (labeled harmful in c, labeled) among decided items flagged
  // in c; recall: (flagged in c, all) among decided items harmful in c.
  int64_t precision_k[2] = {0, 0}, precision_n[2] = {0, 0};
  int64_t recall_k[2] = {0, 0}, recall_n[2] = {0, 0};
};

// A term as verdicts name it: category index and Hit.term.
using TermKey = std::pair<int, std::string>;

struct TermTallies {
  bool learned = false;
  int64_t items_before = 0, items_after = 0;
  Tally gained, lost;
};

// The distinct terms hit in `verdict`, sorted.
void TermsOf(const Analyzer& analyzer, const score::Verdict& verdict,
             std::vector<std::pair<TermKey, bool>>* out) {
  out->clear();
  for (const match::Hit& hit : verdict.hits) {
    const match::Term& term = analyzer.lexicon().terms()[hit.term];
    out->push_back(
        {{static_cast<int>(term.category), HitTermName(term)}, term.learned});
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end(),
                         [](const auto& a, const auto& b) {
                           return a.first == b.first;
                         }),
             out->end());
}

google::protobuf::Duration DurationOf(absl::Duration d) {
  google::protobuf::Duration out;
  const int64_t nanos = absl::ToInt64Nanoseconds(d);
  out.set_seconds(nanos / 1000000000);
  out.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return out;
}

}  // namespace

v1::Share ShareOf(int64_t k, int64_t n) {
  v1::Share share;
  share.set_k(k);
  share.set_n(n);
  if (n > 0) {
    const auto [low, high] = WilsonInterval(k, n);
    share.set_value(static_cast<double>(k) / static_cast<double>(n));
    share.set_low(low);
    share.set_high(high);
  }
  return share;
}

absl::StatusOr<v1::BacktestReport> RunBacktest(FlagStore& store,
                                               const Analyzer& before,
                                               const Analyzer& after,
                                               const BacktestOptions& options) {
  if (options.max_item_ids < 0 || options.max_terms < 0 ||
      options.page_size < 1) {
    return absl::InvalidArgumentError("bad backtest options");
  }
  const absl::Time start = absl::Now();
  const absl::Time until = std::min(options.until, start);
  const int max_ids = options.max_item_ids;

  v1::BacktestReport report;
  report.set_before_version(before.version());
  report.set_after_version(after.version());
  std::array<CategoryTallies, match::kNumCategories> categories;
  std::map<TermKey, TermTallies> terms;
  Tally newly_flagged, no_longer_flagged, changed_categories;
  int64_t items_read = 0;
  std::vector<std::pair<TermKey, bool>> terms_before, terms_after;

  for (v1::Queue queue : {v1::QUEUE_FLAGGED, v1::QUEUE_SAMPLE}) {
    v1::ListQueueRequest request;
    v1::QueueFilter& filter = *request.mutable_filter();
    filter.set_queue(queue);
    if (options.since != absl::InfinitePast()) {
      SetTime(absl::ToUnixMicros(options.since),
              filter.mutable_flagged_after());
    }
    SetTime(absl::ToUnixMicros(until), filter.mutable_flagged_before());
    request.set_order(v1::QUEUE_ORDER_TIME);
    request.set_page_size(options.page_size);
    while (true) {
      if (options.cancelled && options.cancelled()) {
        return absl::CancelledError("the backtest was cancelled");
      }
      absl::StatusOr<v1::ListQueueResponse> page = store.ListQueue(request);
      if (!page.ok()) return page.status();
      for (const v1::ReviewItem& item : page->items()) {
        ++items_read;
        const std::string& text = item.post().raw_text().empty()
                                      ? item.post().text()
                                      : item.post().raw_text();
        if (item.has_text_erased_at()) {
          report.set_erased(report.erased() + 1);
          continue;
        }
        report.set_items(report.items() + 1);
        const Analyzer::Result b = before.Analyze(text);
        const Analyzer::Result a = after.Analyze(text);
        const uint32_t mb = b.verdict.flagged_categories;
        const uint32_t ma = a.verdict.flagged_categories;
        const int64_t id = item.item_id();
        if (mb == 0 && ma != 0) newly_flagged.Add(id, max_ids);
        if (mb != 0 && ma == 0) no_longer_flagged.Add(id, max_ids);
        if (mb != 0 && ma != 0 && mb != ma) changed_categories.Add(id, max_ids);
        const std::optional<int64_t> label = DecidedHarmfulMask(item);
        if (label.has_value()) report.set_decided(report.decided() + 1);
        for (int c = 0; c < match::kNumCategories; ++c) {
          const uint32_t bit = 1u << c;
          CategoryTallies& t = categories[c];
          t.flagged_before += (mb & bit) != 0;
          t.flagged_after += (ma & bit) != 0;
          if (!(mb & bit) && (ma & bit)) t.gained.Add(id, max_ids);
          if ((mb & bit) && !(ma & bit)) t.lost.Add(id, max_ids);
          if (!label.has_value()) continue;
          const bool harmful = (*label & bit) != 0;
          const uint32_t masks[2] = {mb, ma};
          for (int side = 0; side < 2; ++side) {
            const bool flagged = (masks[side] & bit) != 0;
            if (flagged) {
              ++t.precision_n[side];
              t.precision_k[side] += harmful;
            }
            if (harmful) {
              ++t.recall_n[side];
              t.recall_k[side] += flagged;
            }
          }
        }
        TermsOf(before, b.verdict, &terms_before);
        TermsOf(after, a.verdict, &terms_after);
        // Both lists are sorted: one walk counts each term's items and
        // finds the terms gained and lost.
        auto ib = terms_before.begin(), ia = terms_after.begin();
        while (ib != terms_before.end() || ia != terms_after.end()) {
          const bool from_before =
              ia == terms_after.end() ||
              (ib != terms_before.end() && ib->first <= ia->first);
          const bool from_after =
              ib == terms_before.end() ||
              (ia != terms_after.end() && ia->first <= ib->first);
          const auto& [key, learned] = from_before ? *ib : *ia;
          TermTallies& t = terms[key];
          t.learned = learned;
          t.items_before += from_before;
          t.items_after += from_after;
          if (!from_after) t.lost.Add(id, max_ids);
          if (!from_before) t.gained.Add(id, max_ids);
          if (from_before) ++ib;
          if (from_after) ++ia;
        }
      }
      if (options.progress) {
        v1::BacktestProgress progress;
        progress.set_items_read(items_read);
        *progress.mutable_elapsed() = DurationOf(absl::Now() - start);
        options.progress(progress);
      }
      if (page->next_page_token().empty()) break;
      request.set_page_token(page->next_page_token());
    }
  }

  report.set_newly_flagged(
      newly_flagged.Report(report.mutable_newly_flagged_item_ids()));
  report.set_no_longer_flagged(
      no_longer_flagged.Report(report.mutable_no_longer_flagged_item_ids()));
  report.set_changed_categories(
      changed_categories.Report(report.mutable_changed_categories_item_ids()));
  for (int c = 0; c < match::kNumCategories; ++c) {
    const CategoryTallies& t = categories[c];
    v1::CategoryBacktest& out = *report.add_categories();
    out.set_category(std::string(match::kCategoryNames[c]));
    out.set_flagged_before(t.flagged_before);
    out.set_flagged_after(t.flagged_after);
    out.set_gained(t.gained.Report(out.mutable_gained_item_ids()));
    out.set_lost(t.lost.Report(out.mutable_lost_item_ids()));
    *out.mutable_precision_before() =
        ShareOf(t.precision_k[0], t.precision_n[0]);
    *out.mutable_precision_after() =
        ShareOf(t.precision_k[1], t.precision_n[1]);
    *out.mutable_recall_before() = ShareOf(t.recall_k[0], t.recall_n[0]);
    *out.mutable_recall_after() = ShareOf(t.recall_k[1], t.recall_n[1]);
  }
  std::vector<const std::pair<const TermKey, TermTallies>*> changed;
  for (const auto& entry : terms) {
    if (entry.second.gained.count + entry.second.lost.count > 0) {
      changed.push_back(&entry);
    }
  }
  report.set_terms_changed(static_cast<int64_t>(changed.size()));
  // Most changed first; ties in category and term order (the map's).
  std::stable_sort(changed.begin(), changed.end(),
                   [](const auto* x, const auto* y) {
                     return x->second.gained.count + x->second.lost.count >
                            y->second.gained.count + y->second.lost.count;
                   });
  if (static_cast<int>(changed.size()) > options.max_terms) {
    changed.resize(options.max_terms);
  }
  for (const auto* entry : changed) {
    const TermTallies& t = entry->second;
    v1::TermBacktest& out = *report.add_terms();
    out.set_category(std::string(match::kCategoryNames[entry->first.first]));
    out.set_term(entry->first.second);
    out.set_learned(t.learned);
    out.set_items_before(t.items_before);
    out.set_items_after(t.items_after);
    out.set_gained(t.gained.Report(out.mutable_gained_item_ids()));
    out.set_lost(t.lost.Report(out.mutable_lost_item_ids()));
  }
  *report.mutable_elapsed() = DurationOf(absl::Now() - start);
  return report;
}

}  // namespace vigil::service
