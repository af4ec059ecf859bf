// Test and benchmark data: paths into the source tree and ../shared, a CSV
// reader for the shared datasets, and a generator of messy synthetic posts.
#ifndef VIGIL_TESTS_TEST_DATA_H_
#define VIGIL_TESTS_TEST_DATA_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vigil::testing {

// The `vigil train` arguments that produce the shipped learned lexicons
// (the README's training command; paths relative to the source tree).
inline constexpr char kShippedTrainingArgs[] =
    "--train ../shared/data/vihos/train.csv,../shared/data/vihos/dev.csv,"
    "../shared/data/thienit84/dataset.csv,../shared/data/synthetic/"
    "posts.jsonl --date 2026-12-01";

// Path of `relative` inside the source tree.
std::string SourcePath(const std::string& relative);

// Path of `relative` inside ../shared, or nullopt when that file is absent
// (a user's fresh checkout has no ../shared).
std::optional<std::string> SharedPath(const std::string& relative);

// True when ../shared must be there: the environment sets
// VIGIL_REQUIRE_SHARED=1 (`.ci/run` does; CI has ../shared). Tests that
// need it then fail instead of skipping, through VIGIL_SKIP_WITHOUT_SHARED.
bool SharedRequired();

// In a test body: skips with `why` when ../shared is optional, fails when
// it is required (SharedRequired()).
#define VIGIL_SKIP_WITHOUT_SHARED(why)                                       \
  do {                                                                       \
    if (::vigil::testing::SharedRequired()) {                                \
      FAIL() << (why) << " (VIGIL_REQUIRE_SHARED=1: ../shared is required)"; \
    }                                                                        \
    GTEST_SKIP() << (why);                                                   \
  } while (0)

// Candidate lexicons for backtests. CopyLexicon copies the lexicon
// directory `from` to `to` (replacing it; parents created) and returns `to`.
// EditLines drops the lines of the file at `path` that start with
// `drop_prefix` (none when empty) and appends `append`. Both abort the
// program on an I/O error.
std::string CopyLexicon(const std::string& from, const std::string& to);
void EditLines(const std::string& path, const std::string& drop_prefix,
               const std::string& append);

// Parses RFC 4180 CSV (quoted fields, "" escapes, newlines inside quotes).
// Returns rows including the header; empty when the file cannot be read.
std::vector<std::vector<std::string>> ReadCsv(const std::string& path);

// Column `column` of every data row of the CSV at `path` (header names the
// column). Empty when the file or column is missing.
std::vector<std::string> ReadCsvColumn(const std::string& path,
                                       const std::string& column);

// Real posts from ../shared (ViHOS train/dev/test, ViHSD train/dev), up to
// `limit`. Empty when ../shared is absent.
std::vector<std::string> SharedPosts(size_t limit);

// `count` synthetic posts mixing Vietnamese syllables in NFC and NFD, upper
// case, new-style tones, teencode, leetspeak, repeated letters, zero-width
// and look-alike characters, emoji, URLs, numbers and ill-formed bytes.
// Deterministic for a given seed.
std::vector<std::string> GeneratedPosts(size_t count, uint32_t seed);

// The posts benchmarks run on: 30,000 real posts from ../shared, or the
// same number of generated posts (with a note on stderr) when it is absent.
const std::vector<std::string>& BenchmarkPosts();

// Sum of the sizes of `posts` in bytes.
size_t TotalBytes(const std::vector<std::string>& posts);

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_TEST_DATA_H_
