// The whole analyze path (normalize + match + score) with the shipped
// lexicons, on real posts (../shared when present, generated otherwise),
// next to the normalizer alone; and on the same posts written without
// diacritics, with and without the language model reading them; and the
// near-duplicate fingerprint of a post (BM_Fingerprint,
// BM_NormalizeFingerprint).
// Run: build/bench/analyze_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "analyzers/analyzer.h"
#include "analyzers/cluster/fingerprint.h"
#include "tests/test_data.h"

namespace {

const std::vector<std::string>& Posts() {
  return vigil::testing::BenchmarkPosts();
}

size_t TotalBytes() { return vigil::testing::TotalBytes(Posts()); }

// The posts written without diacritics (their folded view).
const std::vector<std::string>& UnaccentedPosts();

// A copy of the shipped lexicons without the language model line.
std::string LexiconsWithoutModel() {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "vigil-bench-no-lm";
  fs::remove_all(dir);
  fs::copy(vigil::testing::SourcePath("lexicons"), dir,
           fs::copy_options::recursive);
  std::ifstream in(dir / "manifest.tsv");
  std::stringstream kept;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("language_model\t", 0) != 0) kept << line << "\n";
  }
  in.close();
  std::ofstream(dir / "manifest.tsv", std::ios::trunc) << kept.str();
  return dir.string();
}

// The shipped lexicons, with (combined) or without (curated only) the
// learned ones, and with or without the language model.
const vigil::Analyzer& Shipped(bool learned = true, bool model = true) {
  static std::shared_ptr<const vigil::Analyzer> analyzers[2][2];
  std::shared_ptr<const vigil::Analyzer>& a = analyzers[learned][model];
  if (!a) {
    auto loaded = vigil::Analyzer::Load(
        model ? vigil::testing::SourcePath("lexicons") : LexiconsWithoutModel(),
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

const std::vector<std::string>& UnaccentedPosts() {
  static const std::vector<std::string> posts = [] {
    std::vector<std::string> out;
    for (const std::string& post : Posts()) {
      out.push_back(Shipped().normalizer().Normalize(post).folded());
    }
    return out;
  }();
  return posts;
}

// The shipped configuration on the posts as written (Arg unaccented 0) or
// written without diacritics (1), with the language model (model 1, as
// shipped) or without it (0).
void BM_AnalyzeReading(benchmark::State& state) {
  const vigil::Analyzer& a = Shipped(true, state.range(1) == 1);
  const std::vector<std::string>& posts =
      state.range(0) == 1 ? UnaccentedPosts() : Posts();
  size_t flagged = 0;
  for (auto _ : state) {
    for (const std::string& post : posts) {
      flagged += a.Analyze(post).verdict.flagged;
    }
  }
  benchmark::DoNotOptimize(flagged);
  state.SetBytesProcessed(state.iterations() *
                          vigil::testing::TotalBytes(posts));
  state.SetItemsProcessed(state.iterations() * posts.size());
}
BENCHMARK(BM_AnalyzeReading)
    ->ArgNames({"unaccented", "model"})
    ->Args({0, 0})
    ->Args({0, 1})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Unit(benchmark::kMillisecond);

// Near-duplicate fingerprints (analyzers/cluster/fingerprint.h), which the
// analysis service takes of each flagged post from the normalized text the
// analysis already made. Arg flagged 1: only the posts the shipped
// lexicons flag (what the service fingerprints); 0: every post.
const std::vector<std::string>& FingerprintPosts(bool flagged) {
  static const std::vector<std::string> only_flagged = [] {
    std::vector<std::string> out;
    for (const std::string& post : Posts()) {
      if (Shipped().Analyze(post).verdict.flagged) out.push_back(post);
    }
    return out;
  }();
  return flagged ? only_flagged : Posts();
}

// Fingerprint::Of alone, on posts normalized before the loop: the cost the
// service adds per flagged post.
void BM_Fingerprint(benchmark::State& state) {
  const std::vector<std::string>& posts = FingerprintPosts(state.range(0) == 1);
  std::vector<vigil::normalize::NormalizedText> normalized;
  for (const std::string& post : posts) {
    normalized.push_back(Shipped().normalizer().Normalize(post));
  }
  size_t fingerprinted = 0;
  for (auto _ : state) {
    for (const vigil::normalize::NormalizedText& n : normalized) {
      auto f = vigil::cluster::Fingerprint::Of(n);
      fingerprinted += f.has_value();
      benchmark::DoNotOptimize(f);
    }
  }
  state.counters["posts"] = static_cast<double>(posts.size());
  state.counters["with_fingerprint"] =
      static_cast<double>(fingerprinted) / state.iterations();
  state.SetBytesProcessed(state.iterations() *
                          vigil::testing::TotalBytes(posts));
  state.SetItemsProcessed(state.iterations() * posts.size());
}
BENCHMARK(BM_Fingerprint)
    ->ArgName("flagged")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

// Normalize + Fingerprint::Of (fingerprint 1) next to Normalize alone
// (fingerprint 0), on the same posts.
void BM_NormalizeFingerprint(benchmark::State& state) {
  const std::vector<std::string>& posts = FingerprintPosts(state.range(0) == 1);
  const bool fingerprint = state.range(1) == 1;
  const vigil::normalize::Normalizer& n = Shipped().normalizer();
  vigil::normalize::NormalizedText out;
  for (auto _ : state) {
    for (const std::string& post : posts) {
      n.NormalizeInto(post, &out);
      if (fingerprint) {
        auto f = vigil::cluster::Fingerprint::Of(out);
        benchmark::DoNotOptimize(f);
      }
      benchmark::DoNotOptimize(out.canonical().data());
    }
  }
  state.SetBytesProcessed(state.iterations() *
                          vigil::testing::TotalBytes(posts));
  state.SetItemsProcessed(state.iterations() * posts.size());
}
BENCHMARK(BM_NormalizeFingerprint)
    ->ArgNames({"flagged", "fingerprint"})
    ->Args({0, 0})
    ->Args({0, 1})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
