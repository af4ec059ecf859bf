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

const vigil::Analyzer& Shipped() {
  static const std::shared_ptr<const vigil::Analyzer> a = [] {
    auto loaded = vigil::Analyzer::Load(vigil::testing::SourcePath("lexicons"));
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n",
                   std::string(loaded.status().message()).c_str());
      std::abort();
    }
    return *loaded;
  }();
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

void BM_Analyze(benchmark::State& state) {
  const vigil::Analyzer& a = Shipped();
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
BENCHMARK(BM_Analyze)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
