// The cost of reading posts in context (analyzers/lm/restorer.h): the same
// real posts as the other benchmarks (../shared when present, generated
// otherwise) normalized alone, then normalized and restored, as written
// and with their diacritics stripped (every word then has candidates).
// Run: build/bench/lm_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "analyzers/lm/restorer.h"
#include "analyzers/lm/syllable_lm.h"
#include "analyzers/normalize/normalizer.h"
#include "tests/test_data.h"

namespace {

using vigil::lm::SyllableLm;
using vigil::normalize::Normalizer;

const Normalizer& Shipped() {
  static const Normalizer* n = []() -> const Normalizer* {
    auto created = Normalizer::Create(
        {.teencode_path = vigil::testing::SourcePath("lexicons/teencode.tsv")});
    if (!created.ok()) std::abort();
    return created->release();
  }();
  return *n;
}

const SyllableLm& Model() {
  static const std::shared_ptr<const SyllableLm> lm = [] {
    auto loaded = SyllableLm::Load(
        vigil::testing::SourcePath("lexicons/lm/syllables.tsv.gz"));
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n",
                   std::string(loaded.status().message()).c_str());
      std::abort();
    }
    return *loaded;
  }();
  return *lm;
}

// Arg 0: the posts as written; 1: their folded view (no diacritics).
const std::vector<std::string>& Posts(bool stripped) {
  static const std::vector<std::string> folded = [] {
    std::vector<std::string> out;
    for (const std::string& p : vigil::testing::BenchmarkPosts()) {
      out.push_back(Shipped().Normalize(p).folded());
    }
    return out;
  }();
  return stripped ? folded : vigil::testing::BenchmarkPosts();
}

void BM_Normalize(benchmark::State& state) {
  const std::vector<std::string>& posts = Posts(state.range(0) == 1);
  vigil::normalize::NormalizedText out;
  for (auto _ : state) {
    for (const std::string& post : posts) {
      Shipped().NormalizeInto(post, &out);
      benchmark::DoNotOptimize(out.canonical().data());
    }
  }
  state.SetBytesProcessed(state.iterations() *
                          vigil::testing::TotalBytes(posts));
}
BENCHMARK(BM_Normalize)
    ->ArgName("stripped")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

void BM_NormalizeAndRestore(benchmark::State& state) {
  const std::vector<std::string>& posts = Posts(state.range(0) == 1);
  const SyllableLm& lm = Model();
  vigil::normalize::NormalizedText out;
  size_t restored = 0;
  for (auto _ : state) {
    for (const std::string& post : posts) {
      Shipped().NormalizeInto(post, &out);
      for (const vigil::lm::Choice& c :
           vigil::lm::Restore(lm, Shipped().teencode(), out, {})) {
        restored += c.restored;
      }
    }
  }
  benchmark::DoNotOptimize(restored);
  state.SetBytesProcessed(state.iterations() *
                          vigil::testing::TotalBytes(posts));
}
BENCHMARK(BM_NormalizeAndRestore)
    ->ArgName("stripped")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
