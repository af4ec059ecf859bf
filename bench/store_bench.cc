// Flagged-item inserts per second on each store backend, through
// FlagStore::RecordFlagged (durable commits: SQLite WAL with synchronous
// FULL, PostgreSQL with synchronous_commit on).
//
//   build/bench/store_bench                       # SQLite only
//   VIGIL_BENCH_PG_URL=postgresql://... build/bench/store_bench
//
// Cases: one post per call from one thread (a commit per post), one post
// per call from 8 threads (group commit merges them), and 100-post batches
// (one transaction each). Each iteration inserts new (source, id) items.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "service/store/flag_store.h"

namespace vigil::service {
namespace {

FlaggedPost MakePost(int64_t n) {
  FlaggedPost p;
  p.post.set_source("bench");
  p.post.set_id(std::to_string(n));
  p.post.set_text("thằng óc chó này nói ngu vãi, đúng là đồ mất dạy " +
                  std::to_string(n));
  p.verdict.set_flagged(true);
  p.verdict.set_lexicon_version("bench");
  p.verdict.add_flagged_categories("insult");
  (*p.verdict.mutable_scores())["insult"] = 0.93;
  for (int h = 0; h < 3; ++h) {
    v1::Hit* hit = p.verdict.add_hits();
    hit->set_category("insult");
    hit->set_term("óc chó");
    hit->set_weight(2.5);
    hit->set_begin(7 + h);
    hit->set_end(14 + h);
  }
  return p;
}

std::atomic<int64_t> next_id{0};

// One store per backend, shared by the cases (and threads) that use it.
FlagStore* Store(const std::string& backend) {
  static FlagStore* sqlite = [] {
    const auto dir = std::filesystem::temp_directory_path() / "vigil_store_bench";
    std::filesystem::remove_all(dir);
    auto store = OpenFlagStore("sqlite:" + (dir / "vigil.db").string());
    if (!store.ok()) std::abort();
    return store->release();
  }();
  static FlagStore* postgres = []() -> FlagStore* {
    const char* url = std::getenv("VIGIL_BENCH_PG_URL");
    if (url == nullptr) return nullptr;
    auto store = OpenFlagStore(url);
    if (!store.ok()) {
      std::fprintf(stderr, "VIGIL_BENCH_PG_URL: %s\n",
                   std::string(store.status().message()).c_str());
      return nullptr;
    }
    return store->release();
  }();
  return backend == "sqlite" ? sqlite : postgres;
}

void BM_Insert(benchmark::State& state, const std::string& backend,
               int batch) {
  FlagStore* store = Store(backend);
  if (store == nullptr) {
    state.SkipWithError("set VIGIL_BENCH_PG_URL to measure PostgreSQL");
    return;
  }
  std::vector<FlaggedPost> posts(batch);
  for (auto _ : state) {
    for (auto& p : posts) p = MakePost(next_id++);
    if (!store->RecordFlagged(posts).ok()) {
      state.SkipWithError("RecordFlagged failed");
      return;
    }
  }
  state.counters["items/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * batch,
      benchmark::Counter::kIsRate);
}

#define VIGIL_STORE_BENCH(backend)                                           \
  BENCHMARK_CAPTURE(BM_Insert, backend##_1_post_1_thread, #backend, 1)       \
      ->UseRealTime()                                                        \
      ->MinTime(2);                                                          \
  BENCHMARK_CAPTURE(BM_Insert, backend##_1_post_8_threads, #backend, 1)      \
      ->Threads(8)                                                           \
      ->UseRealTime()                                                        \
      ->MinTime(2);                                                          \
  BENCHMARK_CAPTURE(BM_Insert, backend##_100_posts_1_thread, #backend, 100)  \
      ->UseRealTime()                                                        \
      ->MinTime(2);

VIGIL_STORE_BENCH(sqlite)
VIGIL_STORE_BENCH(postgres)

}  // namespace
}  // namespace vigil::service

BENCHMARK_MAIN();
