// Where vigil stands, in one run: the floor for touching the text (ICU NFC),
// the normalizer, the matcher alone, the whole analyze path, and for the
// same lexicon the alternatives a user would otherwise pick; then how the
// analyze path scales with post length and lexicon size.
//
//   build/bench/compare_bench                  # everything (a few minutes)
//   build/bench/compare_bench --benchmark_filter=Alt
//
// The lexicon is the shipped one (curated and learned). The alternatives
// search for the same syllable terms (every non-regex term, curated and
// learned: ~29k phrases) in the same text, marked for word boundaries:
// " w1 w2 | w3 " (canonical words separated by spaces, "|" where any other
// token stands), each term searched as " t1 t2 ". They get their input
// prepared (as the matcher gets its normalized text) and only report
// which terms occur; the matcher also finds every position, folded and
// joined forms, regex terms and allowlists. Posts are real (../shared) or
// generated; see tests/test_data.h.
#include <benchmark/benchmark.h>
#include <hs/hs.h>
#include <re2/re2.h>
#include <re2/set.h>
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "analyzers/analyzer.h"
#include "tests/test_data.h"

namespace {

using vigil::Analyzer;
using vigil::normalize::NormalizedText;
using vigil::normalize::TokenKind;

const std::vector<std::string>& Posts() {
  return vigil::testing::BenchmarkPosts();
}

std::shared_ptr<const Analyzer> Load(const std::string& dir) {
  auto loaded = Analyzer::Load(dir);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n",
                 std::string(loaded.status().message()).c_str());
    std::abort();
  }
  return *loaded;
}

const Analyzer& Shipped() {
  static const auto* const analyzer = new std::shared_ptr<const Analyzer>(
      Load(vigil::testing::SourcePath("lexicons")));
  return **analyzer;
}

const std::vector<NormalizedText>& Normalized() {
  static const auto* const texts = [] {
    auto* out = new std::vector<NormalizedText>();
    for (const std::string& p : Posts()) {
      out->push_back(Shipped().normalizer().Normalize(p));
    }
    return out;
  }();
  return *texts;
}

std::string Marked(const NormalizedText& text) {
  std::string out = " ";
  for (const auto& t : text.tokens()) {
    if (t.kind == TokenKind::kWord || t.kind == TokenKind::kNumber) {
      out.append(text.text(t));
    } else {
      out.push_back('|');
    }
    out.push_back(' ');
  }
  return out;
}

const std::vector<std::string>& MarkedPosts() {
  static const auto* const marked = [] {
    auto* out = new std::vector<std::string>();
    for (const NormalizedText& t : Normalized()) out->push_back(Marked(t));
    return out;
  }();
  return *marked;
}

// " t1 t2 " for every syllable term of the shipped lexicon.
const std::vector<std::string>& MarkedTerms() {
  static const auto* const terms = [] {
    std::set<std::string> unique;
    for (const auto& term : Shipped().lexicon().terms()) {
      if (term.is_regex) continue;
      // Learned terms keep their syllables only as `text` (lexicon.h).
      unique.insert(
          " " +
          (term.learned ? term.text : absl::StrJoin(term.syllables, " ")) +
          " ");
    }
    return new std::vector<std::string>(unique.begin(), unique.end());
  }();
  return *terms;
}

void SetBytes(benchmark::State& state, const std::vector<std::string>& posts) {
  state.SetBytesProcessed(state.iterations() *
                          vigil::testing::TotalBytes(posts));
  state.SetItemsProcessed(state.iterations() * posts.size());
}

void BM_Floor_IcuNfc(benchmark::State& state) {
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(error);
  std::string out;
  for (auto _ : state) {
    for (const std::string& p : Posts()) {
      out.clear();
      icu::StringByteSink<std::string> sink(&out);
      nfc->normalizeUTF8(0, icu::StringPiece(p.data(), p.size()), sink, nullptr,
                         error);
      benchmark::DoNotOptimize(out.data());
    }
  }
  SetBytes(state, Posts());
}
BENCHMARK(BM_Floor_IcuNfc)->Unit(benchmark::kMillisecond);

void BM_Vigil_Normalize(benchmark::State& state) {
  Shipped();  // loaded before timing
  NormalizedText out;
  for (auto _ : state) {
    for (const std::string& p : Posts()) {
      Shipped().normalizer().NormalizeInto(p, &out);
      benchmark::DoNotOptimize(out.canonical().data());
    }
  }
  SetBytes(state, Posts());
}
BENCHMARK(BM_Vigil_Normalize)->Unit(benchmark::kMillisecond);

void BM_Vigil_MatcherOnly(benchmark::State& state) {
  Normalized();  // the lexicons loaded and the posts normalized before timing
  vigil::match::LearnedSums sums;
  size_t hits = 0;
  for (auto _ : state) {
    for (const NormalizedText& t : Normalized()) {
      hits += Shipped().matcher().Match(t, &sums).size();
    }
  }
  benchmark::DoNotOptimize(hits);
  SetBytes(state, Posts());
}
BENCHMARK(BM_Vigil_MatcherOnly)->Unit(benchmark::kMillisecond);

void BM_Vigil_Analyze(benchmark::State& state) {
  Shipped();  // loaded before timing
  size_t flagged = 0;
  for (auto _ : state) {
    for (const std::string& p : Posts()) {
      flagged += Shipped().Analyze(p).verdict.flagged;
    }
  }
  benchmark::DoNotOptimize(flagged);
  SetBytes(state, Posts());
}
BENCHMARK(BM_Vigil_Analyze)->Unit(benchmark::kMillisecond);

void BM_Alt_Re2Set(benchmark::State& state) {
  static const re2::RE2::Set* const set = [] {
    re2::RE2::Options options;
    options.set_max_mem(int64_t{2} << 30);
    options.set_log_errors(false);
    auto* s = new re2::RE2::Set(options, re2::RE2::UNANCHORED);
    for (const std::string& term : MarkedTerms()) {
      s->Add(re2::RE2::QuoteMeta(term), nullptr);
    }
    if (!s->Compile()) std::abort();
    return s;
  }();
  MarkedPosts();  // prepared before timing
  std::vector<int> matched;
  size_t found = 0;
  for (auto _ : state) {
    for (const std::string& p : MarkedPosts()) {
      matched.clear();
      set->Match(p, &matched);
      found += matched.size();
    }
  }
  benchmark::DoNotOptimize(found);
  SetBytes(state, Posts());
  state.counters["terms"] = static_cast<double>(MarkedTerms().size());
}
BENCHMARK(BM_Alt_Re2Set)->Unit(benchmark::kMillisecond);

void BM_Alt_Hyperscan(benchmark::State& state) {
  static hs_database_t* db = [] {
    std::vector<const char*> expressions;
    std::vector<size_t> lengths;
    std::vector<unsigned> flags, ids;
    for (size_t i = 0; i < MarkedTerms().size(); ++i) {
      expressions.push_back(MarkedTerms()[i].data());
      lengths.push_back(MarkedTerms()[i].size());
      flags.push_back(HS_FLAG_SINGLEMATCH);
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_database_t* out = nullptr;
    hs_compile_error_t* error = nullptr;
    if (hs_compile_lit_multi(
            expressions.data(), flags.data(), ids.data(), lengths.data(),
            static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK, nullptr,
            &out, &error) != HS_SUCCESS) {
      std::fprintf(stderr, "hyperscan: %s\n", error->message);
      std::abort();
    }
    return out;
  }();
  MarkedPosts();  // prepared before timing
  hs_scratch_t* scratch = nullptr;
  hs_alloc_scratch(db, &scratch);
  size_t found = 0;
  auto on_match = [](unsigned, unsigned long long, unsigned long long, unsigned,
                     void* ctx) -> int {
    ++*static_cast<size_t*>(ctx);
    return 0;
  };
  for (auto _ : state) {
    for (const std::string& p : MarkedPosts()) {
      hs_scan(db, p.data(), static_cast<unsigned>(p.size()), 0, scratch,
              on_match, &found);
    }
  }
  hs_free_scratch(scratch);
  benchmark::DoNotOptimize(found);
  SetBytes(state, Posts());
}
BENCHMARK(BM_Alt_Hyperscan)->Unit(benchmark::kMillisecond);

// One search per term per post; on the first 300 posts (it is slow).
void BM_Alt_NaiveFindPerTerm(benchmark::State& state) {
  const std::vector<std::string> posts(
      MarkedPosts().begin(),
      MarkedPosts().begin() + std::min<size_t>(300, MarkedPosts().size()));
  const std::vector<std::string> originals(
      Posts().begin(), Posts().begin() + static_cast<long>(posts.size()));
  size_t found = 0;
  for (auto _ : state) {
    for (const std::string& p : posts) {
      for (const std::string& term : MarkedTerms()) {
        found += p.find(term) != std::string::npos;
      }
    }
  }
  benchmark::DoNotOptimize(found);
  SetBytes(state, originals);
}
BENCHMARK(BM_Alt_NaiveFindPerTerm)->Unit(benchmark::kMillisecond);

// Posts of about `state.range(0)` bytes, made by joining real posts.
void BM_Scale_AnalyzeByPostLength(benchmark::State& state) {
  const size_t length = static_cast<size_t>(state.range(0));
  std::vector<std::string> posts;
  std::string current;
  size_t total = 0;
  for (size_t i = 0; total < (size_t{2} << 20); i = (i + 1) % Posts().size()) {
    current += Posts()[i];
    current += ' ';
    if (current.size() >= length) {
      // Cut on a character boundary near the length.
      size_t cut = length;
      while (cut < current.size() &&
             (static_cast<unsigned char>(current[cut]) & 0xC0) == 0x80) {
        ++cut;
      }
      posts.push_back(current.substr(0, cut));
      total += posts.back().size();
      current.clear();
    }
  }
  size_t flagged = 0;
  for (auto _ : state) {
    for (const std::string& p : posts) {
      flagged += Shipped().Analyze(p).verdict.flagged;
    }
  }
  benchmark::DoNotOptimize(flagged);
  SetBytes(state, posts);
}
BENCHMARK(BM_Scale_AnalyzeByPostLength)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

// A lexicon of `count` generated terms: 2 or 3 syllables drawn from the
// words of the posts, in one curated category (plus the shipped teencode).
// Multi-syllable, so that the hit rate stays that of a real lexicon (single
// common words as terms would hit every post, and measure hit handling
// rather than lookup); the hits per post are reported.
std::shared_ptr<const Analyzer> GeneratedLexicon(int count) {
  // Words that are their own normalization (a lexicon line must be in
  // canonical form; "ng" is teencode for "người").
  std::set<std::string> words;
  for (const NormalizedText& t : Normalized()) {
    for (const auto& token : t.tokens()) {
      if (token.kind == TokenKind::kWord) words.emplace(t.text(token));
    }
  }
  std::erase_if(words, [](const std::string& w) {
    return Shipped().normalizer().Normalize(w).canonical() != w;
  });
  const std::vector<std::string> pool(words.begin(), words.end());
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("vigil_bench_lexicon_" + std::to_string(count));
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(
      vigil::testing::SourcePath("lexicons/teencode.tsv"), dir / "teencode.tsv",
      std::filesystem::copy_options::overwrite_existing);
  // Every category must be declared; all but insult are empty.
  std::ofstream manifest(dir / "manifest.tsv");
  manifest << "version\tbench-" << count << "\nteencode\tteencode.tsv\n";
  for (std::string_view category : vigil::match::kCategoryNames) {
    const std::string file =
        category == "insult" ? "generated.tsv" : std::string(category) + ".tsv";
    manifest << "category\t" << category << "\t" << file << "\t0.6\t-2.5\n";
    if (category != "insult") {
      std::ofstream(dir / file) << "@category\t" << category << "\n";
    }
  }
  manifest.close();
  std::ofstream terms(dir / "generated.tsv");
  terms << "@category\tinsult\n";
  std::mt19937 random(count);
  std::set<std::string> seen;
  while (static_cast<int>(seen.size()) < count) {
    const int syllables = 2 + static_cast<int>(random() % 2);
    std::string term;
    for (int s = 0; s < syllables; ++s) {
      if (s > 0) term += ' ';
      term += pool[random() % pool.size()];
    }
    if (seen.insert(term).second) terms << term << "\t1\tfold\tmoderate\n";
  }
  terms.close();
  return Load(dir.string());
}

void BM_Scale_AnalyzeByLexiconSize(benchmark::State& state) {
  const auto analyzer = GeneratedLexicon(static_cast<int>(state.range(0)));
  size_t hits = 0;
  for (auto _ : state) {
    for (const std::string& p : Posts()) {
      hits += analyzer->Analyze(p).verdict.hits.size();
    }
  }
  SetBytes(state, Posts());
  state.counters["hits/post"] = static_cast<double>(hits) /
                                static_cast<double>(state.iterations()) /
                                static_cast<double>(Posts().size());
}
// At least 3 s a case: one pass takes 0.1-0.2 s, and single passes varied
// 1.1-1.9x between runs.
BENCHMARK(BM_Scale_AnalyzeByLexiconSize)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->MinTime(3)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
