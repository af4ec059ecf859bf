// The whole analyze path (normalize + match + score) with the shipped
// lexicons, on real posts (../shared when present, generated otherwise),
// next to the normalizer alone. Run: build/bench/analyze_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "analyzers/analyzer.h"
#include "tests/test_data.h"

namespace {

const std::vector<std::string>& Posts() {
  return vigil::testing::BenchmarkPosts();
}

size_t TotalBytes() { return vigil::testing::TotalBytes(Posts()); }

// The shipped lexicons, with (combined) or without (curated only) the
// learned ones.
const vigil::Analyzer& Shipped(bool learned = true) {
  static std::shared_ptr<const vigil::Analyzer> analyzers[2];
  std::shared_ptr<const vigil::Analyzer>& a = analyzers[learned];
  if (!a) {
    auto loaded = vigil::Analyzer::Load(vigil::testing::SourcePath("lexicons"),
                                        nullptr, {.learned = learned});
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n",
                   std::string(loaded.status().message()).c_str());
      std::abort();
    }
    a = *loaded;
  }
  return *a;
}

void BM_NormalizeOnly(benchmark::State& state) {
  const vigil::Analyzer& a = Shipped();
  vigil::normalize::NormalizedText out;
  for (auto _ : state) {
    for (const std::string& post : Posts()) {
      a.normalizer().NormalizeInto(post, &out);
      benchmark::DoNotOptimize(out.canonical().data());
    }
  }
  state.SetBytesProcessed(state.iterations() * TotalBytes());
  state.SetItemsProcessed(state.iterations() * Posts().size());
}
BENCHMARK(BM_NormalizeOnly)->Unit(benchmark::kMillisecond);

// The whole analyze path; Arg 0: curated lexicons only, 1: curated and
// learned (the shipped configuration).
void BM_Analyze(benchmark::State& state) {
  const vigil::Analyzer& a = Shipped(state.range(0) == 1);
  size_t flagged = 0;
  for (auto _ : state) {
    for (const std::string& post : Posts()) {
      flagged += a.Analyze(post).verdict.flagged;
    }
  }
  benchmark::DoNotOptimize(flagged);
  state.SetBytesProcessed(state.iterations() * TotalBytes());
  state.SetItemsProcessed(state.iterations() * Posts().size());
}
BENCHMARK(BM_Analyze)
    ->ArgName("learned")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
