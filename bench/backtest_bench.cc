// A backtest (service/backtest/backtest.h) of a changed lexicon over a
// SQLite store of 100,000 items: its time, items per second and peak
// memory, and its numbers checked against a direct re-analysis of the same
// posts (the run fails if any differs).
//
//   build/bench/backtest_bench [--benchmark_repetitions=3]
//
// The store is built once and kept at $TMPDIR/vigil_backtest_bench/
// (delete it to rebuild): real posts from ../shared (ViHOS, ViHSD; cycled
// with a number appended to reach 100,000; generated posts without
// ../shared), analyzed with the shipped lexicons; the flagged ones stored
// as flagged items, the rest as sampled ones; 3,000 flagged items decided
// (every fourth dismissed) and 500 sampled ones labeled harmless. The
// candidate is the shipped lexicons with three edits an analyst might try:
// insult's learned threshold lowered from 0.5 to 0.45, its bare "ngu"
// lowered to weight 1, and a new insult term "não cá vàng". Peak memory is the
// growth of the process's peak RSS (VmHWM, reset through /proc/self/clear_refs)
// over its RSS before the backtest: what the backtest itself holds at its
// worst.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "analyzers/analyzer.h"
#include "analyzers/match/category.h"
#include "service/backtest/backtest.h"
#include "service/store/flag_store.h"
#include "service/verdict_proto.h"
#include "tests/service/backtest/direct_counts.h"
#include "tests/test_data.h"

namespace vigil::service {
namespace {

namespace fs = std::filesystem;

constexpr int kItems = 100000;

const fs::path& WorkDir() {
  static const fs::path dir =
      fs::temp_directory_path() / "vigil_backtest_bench";
  return dir;
}

// The posts, in item order (source "bench", id = index).
const std::vector<std::string>& Posts() {
  static const auto* posts = [] {
    auto* p = new std::vector<std::string>(testing::SharedPosts(kItems));
    if (p->empty()) {
      std::fprintf(stderr, "../shared absent: generated posts\n");
      *p = testing::GeneratedPosts(kItems, 11);
    }
    const size_t real = p->size();
    for (size_t i = 0; p->size() < kItems; ++i) {
      p->push_back((*p)[i % real] + " " + std::to_string(i));
    }
    return p;
  }();
  return *posts;
}

std::shared_ptr<const Analyzer> LoadOrDie(const std::string& dir) {
  auto analyzer = Analyzer::Load(dir);
  if (!analyzer.ok()) {
    std::fprintf(stderr, "%s: %s\n", dir.c_str(),
                 std::string(analyzer.status().message()).c_str());
    std::abort();
  }
  return *analyzer;
}

// The shipped lexicons with the three edits, in WorkDir()/candidate.
std::string MakeCandidate() {
  const std::string dir = testing::CopyLexicon(
      testing::SourcePath("lexicons"), (WorkDir() / "candidate").string());
  testing::EditLines(dir + "/insult.tsv", "ngu\t2.5\t",
                     "ngu\t1\tnofold\tmoderate\tbacktest_bench: 2.5 -> 1\n"
                     "não cá vàng\t2.5\tfold\tmoderate\tbacktest_bench: a "
                     "candidate term\n");
  testing::EditLines(dir + "/manifest.tsv", "learned\tinsult\t",
                     "learned\tinsult\tlearned/insult.tsv\t0.4500\n");
  return dir;
}

void Decide(FlagStore& store, v1::Queue queue, int count) {
  for (int i = 0; i < count; ++i) {
    v1::ClaimRequest claim;
    claim.mutable_filter()->set_queue(queue);
    auto item = store.Claim(claim, "bench");
    if (!item.ok()) return;
    v1::DecideRequest decide;
    decide.set_item_id(item->item_id());
    decide.set_decision(queue == v1::QUEUE_SAMPLE || i % 4 == 0
                            ? v1::DECISION_DISMISSED
                            : v1::DECISION_ACTIONED);
    if (!store.Decide(decide, "bench", "bench").ok()) std::abort();
  }
}

// Opens the store, building it first when it is not there.
std::unique_ptr<FlagStore> OpenStore(const Analyzer& before) {
  const fs::path db = WorkDir() / "store.db";
  const bool exists = fs::exists(db);
  if (!exists) fs::create_directories(WorkDir());
  auto store = OpenFlagStore("sqlite:" + db.string());
  if (!store.ok()) std::abort();
  if (exists) return *std::move(store);
  std::fprintf(stderr, "building the %d-item store in %s\n", kItems,
               db.c_str());
  const std::vector<std::string>& posts = Posts();
  std::vector<FlaggedPost> batch;
  for (int i = 0; i < kItems; ++i) {
    FlaggedPost p;
    p.post.set_source("bench");
    p.post.set_id(std::to_string(i));
    p.post.set_text(posts[i]);
    ToProto(before, before.Analyze(posts[i]), &p.verdict);
    p.sampled = !p.verdict.flagged();
    batch.push_back(std::move(p));
    if (batch.size() == 500 || i + 1 == kItems) {
      if (!(*store)->RecordFlagged(batch).ok()) std::abort();
      batch.clear();
    }
  }
  Decide(**store, v1::QUEUE_FLAGGED, 3000);
  Decide(**store, v1::QUEUE_SAMPLE, 500);
  return *std::move(store);
}

int64_t StatusKiB(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0)
      return std::stoll(line.substr(strlen(field)));
  }
  return 0;
}

void BM_Backtest100k(benchmark::State& state) {
  const auto before = LoadOrDie(testing::SourcePath("lexicons"));
  const auto after = LoadOrDie(MakeCandidate());
  std::unique_ptr<FlagStore> store = OpenStore(*before);
  v1::BacktestReport report;
  int64_t growth_kib = 0;
  for (auto _ : state) {
    const int64_t rss = StatusKiB("VmRSS:");
    std::ofstream("/proc/self/clear_refs") << "5";  // resets VmHWM
    auto result = RunBacktest(*store, *before, *after, {});
    growth_kib = StatusKiB("VmHWM:") - rss;
    if (!result.ok()) {
      state.SkipWithError(std::string(result.status().message()).c_str());
      return;
    }
    report = *std::move(result);
  }
  // Check every count against a direct re-analysis of the posts (after
  // the timed loop).
  const bool same =
      report.items() == kItems &&
      testing::CountDirectly(*before, *after, Posts()).Matches(report);
  if (!same) {
    state.SkipWithError("the report differs from a direct re-analysis");
    return;
  }
  const v1::CategoryBacktest& insult =
      report.categories(static_cast<int>(match::Category::kInsult));
  state.counters["items"] = static_cast<double>(report.items());
  state.counters["items_per_s"] = benchmark::Counter(
      static_cast<double>(report.items()), benchmark::Counter::kIsRate);
  state.counters["peak_growth_MiB"] = growth_kib / 1024.0;
  state.counters["decided"] = static_cast<double>(report.decided());
  state.counters["insult_gained"] = static_cast<double>(insult.gained());
  state.counters["insult_lost"] = static_cast<double>(insult.lost());
  state.counters["terms_changed"] = static_cast<double>(report.terms_changed());
}
BENCHMARK(BM_Backtest100k)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace
}  // namespace vigil::service

BENCHMARK_MAIN();
