// Normalization throughput on real posts (../shared when present, generated
// posts otherwise), side by side with ICU's NFC alone, the floor for touching
// the text at all. Run: build/bench/normalize_bench
#include <benchmark/benchmark.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <cstdio>
#include <string>
#include <vector>

#include "analyzers/normalize/normalizer.h"
#include "tests/test_data.h"

namespace {

using vigil::normalize::Normalizer;

const std::vector<std::string>& Posts() {
  return vigil::testing::BenchmarkPosts();
}

size_t TotalBytes() { return vigil::testing::TotalBytes(Posts()); }

const Normalizer& Shipped() {
  static const Normalizer* n = []() -> const Normalizer* {
    auto created = Normalizer::Create(
        {.teencode_path = vigil::testing::SourcePath("lexicons/teencode.tsv")});
    if (!created.ok()) {
      std::fprintf(stderr, "%s\n",
                   std::string(created.status().message()).c_str());
      std::abort();
    }
    return created->release();
  }();
  return *n;
}

// ICU NFC of each post, UTF-8 in and out (the conversion is part of the
// cost any ICU-based normalizer pays).
void BM_IcuNfcOnly(benchmark::State& state) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  std::string out;
  for (auto _ : state) {
    for (const std::string& post : Posts()) {
      out.clear();
      icu::StringByteSink<std::string> sink(&out);
      nfc->normalizeUTF8(0, icu::StringPiece(post.data(), post.size()), sink,
                         nullptr, status);
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * TotalBytes());
  state.SetItemsProcessed(state.iterations() * Posts().size());
}
BENCHMARK(BM_IcuNfcOnly)->Unit(benchmark::kMillisecond);

// The whole normalizer: tokens, offsets, canonical and folded views, with
// the output buffers reused from post to post (NormalizeInto).
void BM_Normalize(benchmark::State& state) {
  const Normalizer& n = Shipped();
  vigil::normalize::NormalizedText result;
  for (auto _ : state) {
    for (const std::string& post : Posts()) {
      n.NormalizeInto(post, &result);
      benchmark::DoNotOptimize(result.canonical().data());
    }
  }
  state.SetBytesProcessed(state.iterations() * TotalBytes());
  state.SetItemsProcessed(state.iterations() * Posts().size());
}
BENCHMARK(BM_Normalize)->Unit(benchmark::kMillisecond);

// The same without the per-thread word memo: the cost of the full pipeline
// on every word.
void BM_NormalizeNoMemo(benchmark::State& state) {
  static const Normalizer* n = [] {
    auto created = Normalizer::Create(
        {.teencode_path = vigil::testing::SourcePath("lexicons/teencode.tsv"),
         .word_memo = false});
    if (!created.ok()) std::abort();
    return created->release();
  }();
  vigil::normalize::NormalizedText result;
  for (auto _ : state) {
    for (const std::string& post : Posts()) {
      n->NormalizeInto(post, &result);
      benchmark::DoNotOptimize(result.canonical().data());
    }
  }
  state.SetBytesProcessed(state.iterations() * TotalBytes());
  state.SetItemsProcessed(state.iterations() * Posts().size());
}
BENCHMARK(BM_NormalizeNoMemo)->Unit(benchmark::kMillisecond);

// One pass over the posts with an empty word memo (a new normalizer each
// iteration): the conservative figure, since BM_Normalize sees the same
// posts again and again and so reuses more of its memo than a live stream.
void BM_NormalizeColdMemo(benchmark::State& state) {
  vigil::normalize::NormalizedText result;
  for (auto _ : state) {
    state.PauseTiming();
    auto created = Normalizer::Create(
        {.teencode_path = vigil::testing::SourcePath("lexicons/teencode.tsv")});
    if (!created.ok()) std::abort();
    state.ResumeTiming();
    for (const std::string& post : Posts()) {
      (*created)->NormalizeInto(post, &result);
      benchmark::DoNotOptimize(result.canonical().data());
    }
  }
  state.SetBytesProcessed(state.iterations() * TotalBytes());
  state.SetItemsProcessed(state.iterations() * Posts().size());
}
BENCHMARK(BM_NormalizeColdMemo)->Unit(benchmark::kMillisecond);

// One long post (cost against length).
void BM_NormalizeLongPost(benchmark::State& state) {
  std::string post;
  for (const std::string& p : Posts()) {
    if (post.size() >= static_cast<size_t>(state.range(0))) break;
    post += p;
    post += '\n';
  }
  const Normalizer& n = Shipped();
  for (auto _ : state) {
    auto result = n.Normalize(post);
    benchmark::DoNotOptimize(result.canonical().data());
  }
  state.SetBytesProcessed(state.iterations() * post.size());
}
BENCHMARK(BM_NormalizeLongPost)
    ->Arg(100)
    ->Arg(10000)
    ->Arg(1000000)
    ->Unit(benchmark::kMicrosecond);

// Hostile input: one long chunk of "a." (every token start could begin a
// domain or e-mail address). Cost must stay linear in the length: compare
// the time per byte across the sizes.
void BM_NormalizeAdversarialChunk(benchmark::State& state) {
  std::string post;
  while (post.size() < static_cast<size_t>(state.range(0))) post += "a.";
  const Normalizer& n = Shipped();
  vigil::normalize::NormalizedText result;
  for (auto _ : state) {
    n.NormalizeInto(post, &result);
    benchmark::DoNotOptimize(result.canonical().data());
  }
  state.SetBytesProcessed(state.iterations() * post.size());
}
BENCHMARK(BM_NormalizeAdversarialChunk)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
