// The syllable language model's file format and probabilities.
#include "analyzers/lm/syllable_lm.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "analyzers/lm/gzip_file.h"
#include "tests/test_data.h"

namespace vigil::lm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kModel[] =
    "# a tiny model\n"
    "@lm\tdiscount=0.75\n"
    "1\t<s>\t<s>\t10\n"
    "1\tmà\tma\t6\n"
    "1\tma\tma\t2\n"
    "1\tmá\tma\t4\n"
    "1\tđi\tdi\t5\n"
    "2\t<s>\tđi\t3\n"
    "2\tđi\tmà\t2\n"
    "2\tmá\t<s>\t4\n";

std::vector<std::string> Names(const SyllableLm& lm,
                               std::span<const int32_t> ids) {
  std::vector<std::string> out;
  for (int32_t id : ids) out.push_back(lm.Syllable(id));
  return out;
}

TEST(SyllableLmTest, CandidatesAreTheSyllablesThatFoldAlikeMostFrequentFirst) {
  auto lm = SyllableLm::Parse(kModel, "tiny");
  ASSERT_TRUE(lm.ok()) << lm.status();
  EXPECT_THAT(Names(**lm, (*lm)->Candidates("ma")),
              ElementsAre("mà", "má", "ma"));
  EXPECT_THAT(Names(**lm, (*lm)->Candidates("di")), ElementsAre("đi"));
  EXPECT_TRUE((*lm)->Candidates("xyz").empty());
  EXPECT_EQ((*lm)->IdOf("khong"), SyllableLm::kUnknown);
  EXPECT_EQ((*lm)->syllable_count(), 4u);
  EXPECT_EQ((*lm)->pair_count(), 3u);
}

TEST(SyllableLmTest, ProbabilitiesAfterEachContextSumToAboutOne) {
  auto lm = SyllableLm::Parse(kModel, "tiny");
  ASSERT_TRUE(lm.ok()) << lm.status();
  for (const char* context : {"<s>", "đi", "má", "ma"}) {
    const int32_t prev = std::string(context) == "<s>" ? SyllableLm::kBoundary
                                                       : (*lm)->IdOf(context);
    double sum = std::exp((*lm)->LogProb(prev, SyllableLm::kBoundary));
    for (const char* next : {"mà", "ma", "má", "đi"}) {
      sum += std::exp((*lm)->LogProb(prev, (*lm)->IdOf(next)));
    }
    // What is left is the small share every unknown word gets.
    EXPECT_NEAR(sum, 1.0, 0.02) << context;
  }
  // A seen pair is more probable than the same word after another context.
  const int32_t di = (*lm)->IdOf("đi"), ma = (*lm)->IdOf("mà");
  EXPECT_GT((*lm)->LogProb(di, ma), (*lm)->LogProb((*lm)->IdOf("má"), ma));
}

struct BadModel {
  const char* name;
  std::string text;
  const char* error;
};

class SyllableLmErrorTest : public ::testing::TestWithParam<BadModel> {};

TEST_P(SyllableLmErrorTest, NamesTheLine) {
  auto lm = SyllableLm::Parse(GetParam().text, "m.tsv");
  ASSERT_FALSE(lm.ok());
  EXPECT_EQ(lm.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(lm.status().message(), HasSubstr(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, SyllableLmErrorTest,
    ::testing::Values(
        BadModel{"no_header", "1\tmà\tma\t3\n", "m.tsv:1: expected '@lm"},
        BadModel{"bad_discount", "@lm\tdiscount=1.5\n", "m.tsv:1:"},
        BadModel{"empty", "", "m.tsv: no '@lm' line"},
        BadModel{"bad_count", "@lm\tdiscount=0.75\n1\tmà\tma\tmany\n",
                 "m.tsv:2: expected KIND"},
        BadModel{"zero_count", "@lm\tdiscount=0.75\n1\tmà\tma\t0\n",
                 "m.tsv:2:"},
        BadModel{"twice", "@lm\tdiscount=0.75\n1\tmà\tma\t3\n1\tmà\tma\t3\n",
                 "m.tsv:3: syllable 'mà' listed twice"},
        BadModel{"pair_first", "@lm\tdiscount=0.75\n2\tmà\tđi\t3\n",
                 "m.tsv:2: a pair's syllables must be listed before it"},
        BadModel{"bad_kind", "@lm\tdiscount=0.75\n4\tmà\tma\t3\n",
                 "m.tsv:2: KIND is 1"},
        BadModel{"bad_prior", "@lm\tdiscount=0.75\n1\tmà\tma\t3\t-1\n",
                 "m.tsv:2: expected KIND"},
        BadModel{"short_triple", "@lm\tdiscount=0.75\n3\tmà\tma\t3\n",
                 "m.tsv:2: expected 3<TAB>A<TAB>B<TAB>C<TAB>COUNT"},
        BadModel{"triple_first",
                 "@lm\tdiscount=0.75\n1\tmà\tma\t3\n3\tmà\tmà\tđi\t3\n",
                 "m.tsv:3: a triple's syllables must be listed before it"},
        BadModel{"triple_without_pair",
                 "@lm\tdiscount=0.75\n1\tmà\tma\t3\n3\tmà\tmà\tmà\t3\n",
                 "m.tsv: a triple's first pair has no '2' line"}),
    [](const auto& info) { return std::string(info.param.name); });

// A prior (a fifth column on syllable lines) is mixed into the unigram
// probability and orders the candidates: "má" is rarer than "mà" in the
// counts but far more common in the prior.
TEST(SyllableLmTest, PriorsReorderCandidatesAndMixIntoUnigrams) {
  const std::string counts =
      "@lm\tdiscount=0.75\n1\tmà\tma\t30\n1\tmá\tma\t10\n";
  auto plain = SyllableLm::Parse(counts, "plain");
  auto primed = SyllableLm::Parse(
      "@lm\tdiscount=0.75\n1\tmà\tma\t30\t5\n1\tmá\tma\t10\t500\n", "primed");
  ASSERT_TRUE(plain.ok() && primed.ok());
  auto first = [](const SyllableLm& lm) {
    return lm.Syllable(lm.Candidates("ma")[0]);
  };
  EXPECT_EQ(first(**plain), "mà");
  EXPECT_EQ(first(**primed), "má");
  const int32_t ma = (*primed)->IdOf("má");
  // No pairs: P(má | unknown) is the unigram, the mean of the two.
  const double v = 4;  // the two syllables, the boundary, one unknown word
  const double corpus = (10 + 0.1) / (40 + 0.1 * v);
  const double prior = (500 + 0.1) / (505 + 0.1 * v);
  EXPECT_NEAR((*primed)->Prob(SyllableLm::kUnknown, ma), (corpus + prior) / 2,
              1e-12);
}

// A model file may be gzip in several members (`cat a.gz b.gz`); a
// corrupt stream is DataLoss.
TEST(SyllableLmTest, ReadsConcatenatedGzipAndRefusesCorruptOnes) {
  const std::string dir = ::testing::TempDir();
  const std::string a = dir + "/lm_part_a.gz", b = dir + "/lm_part_b.gz";
  ASSERT_TRUE(WriteFileMaybeGzip(a, "@lm\tdiscount=0.75\n").ok());
  ASSERT_TRUE(WriteFileMaybeGzip(b, "1\tmà\tma\t3\n").ok());
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  std::stringstream both;
  both << fa.rdbuf() << fb.rdbuf();
  const std::string whole = dir + "/lm_whole.gz";
  std::ofstream(whole, std::ios::binary) << both.str();
  auto lm = SyllableLm::Load(whole);
  ASSERT_TRUE(lm.ok()) << lm.status();
  EXPECT_NE((*lm)->IdOf("mà"), SyllableLm::kUnknown);
  std::string corrupt = both.str();
  corrupt.resize(corrupt.size() / 2);
  std::ofstream(whole, std::ios::binary | std::ios::trunc) << corrupt;
  EXPECT_EQ(SyllableLm::Load(whole).status().code(),
            absl::StatusCode::kDataLoss);
}

// ProbRow (the decoder's fast path) gives Prob's values bit for bit: on the
// shipped model, every pair it holds, grouped by their first syllable, with
// unknown, boundary and random ids mixed into each row.
TEST(SyllableLmTest, ProbRowIsProbBitForBit) {
  const std::string path = testing::SourcePath("lexicons/lm/syllables.tsv.gz");
  auto text = ReadFileMaybeGzip(path);
  ASSERT_TRUE(text.ok()) << text.status();
  auto lm = SyllableLm::Parse(*text, path);
  ASSERT_TRUE(lm.ok()) << lm.status();
  std::map<int32_t, std::vector<int32_t>> rows;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (line.substr(0, 2) != "2\t") continue;
    const std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    ASSERT_EQ(f.size(), 4u) << line;
    const auto id = [&](absl::string_view s) {
      return s == "<s>" ? SyllableLm::kBoundary
                        : (*lm)->IdOf(std::string_view(s.data(), s.size()));
    };
    rows[id(f[1])].push_back(id(f[2]));
  }
  ASSERT_GT(rows.size(), 1000u);
  rows[SyllableLm::kUnknown] = {};  // no context
  std::mt19937 random(7);
  const int32_t ids = static_cast<int32_t>((*lm)->syllable_count()) + 1;
  size_t compared = 0;
  std::vector<double> out;
  for (auto& [prev, nexts] : rows) {
    nexts.push_back(SyllableLm::kUnknown);
    nexts.push_back(SyllableLm::kBoundary);
    for (int r = 0; r < 3; ++r) nexts.push_back(random() % ids);
    out.assign(nexts.size(), -1);
    (*lm)->ProbRow(prev, nexts, out.data());
    for (size_t i = 0; i < nexts.size(); ++i) {
      ASSERT_EQ(std::bit_cast<uint64_t>(out[i]),
                std::bit_cast<uint64_t>((*lm)->Prob(prev, nexts[i])))
          << prev << " " << nexts[i];
      ++compared;
    }
  }
  EXPECT_GT(compared, (*lm)->pair_count());
}

TEST(SyllableLmTest, MissingFileIsNotFound) {
  auto lm = SyllableLm::Load("/nonexistent/syllables.tsv.gz");
  EXPECT_EQ(lm.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil::lm
