#include "tests/test_data.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "analyzers/util/csv.h"

namespace vigil::testing {

std::string SourcePath(const std::string& relative) {
  return std::string(VIGIL_SOURCE_DIR) + "/" + relative;
}

std::optional<std::string> SharedPath(const std::string& relative) {
  std::string path = std::string(VIGIL_SHARED_DIR) + "/" + relative;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  return path;
}

bool SharedRequired() {
  const char* v = std::getenv("VIGIL_REQUIRE_SHARED");
  return v != nullptr && std::string_view(v) == "1";
}

std::string CopyLexicon(const std::string& from, const std::string& to) {
  std::error_code error;
  std::filesystem::remove_all(to, error);
  std::filesystem::create_directories(std::filesystem::path(to).parent_path(),
                                      error);
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive,
                        error);
  if (error) {
    std::fprintf(stderr, "cannot copy %s to %s: %s\n", from.c_str(), to.c_str(),
                 error.message().c_str());
    std::abort();
  }
  return to;
}

void EditLines(const std::string& path, const std::string& drop_prefix,
               const std::string& append) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::abort();
  }
  std::string kept, line;
  while (std::getline(in, line)) {
    if (drop_prefix.empty() || line.rfind(drop_prefix, 0) != 0) {
      kept += line + "\n";
    }
  }
  in.close();
  std::ofstream out(path, std::ios::trunc);
  out << kept << append;
  if (!out.flush()) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::abort();
  }
}

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseCsv(buffer.str());
}

std::vector<std::string> ReadCsvColumn(const std::string& path,
                                       const std::string& column) {
  std::vector<std::vector<std::string>> rows = ReadCsv(path);
  std::vector<std::string> values;
  if (rows.empty()) return values;
  size_t index = rows[0].size();
  for (size_t i = 0; i < rows[0].size(); ++i) {
    if (rows[0][i] == column) index = i;
  }
  if (index == rows[0].size()) return values;
  for (size_t r = 1; r < rows.size(); ++r) {
    if (index < rows[r].size()) values.push_back(rows[r][index]);
  }
  return values;
}

std::vector<std::string> SharedPosts(size_t limit) {
  std::vector<std::string> posts;
  const std::pair<const char*, const char*> kSources[] = {
      {"data/vihos/train.csv", "content"},
      {"data/vihos/dev.csv", "content"},
      {"data/vihos/test.csv", "content"},
      {"data/vihsd/train.csv", "free_text"},
      {"data/vihsd/dev.csv", "free_text"},
  };
  for (const auto& [file, column] : kSources) {
    std::optional<std::string> path = SharedPath(file);
    if (!path) continue;
    for (std::string& post : ReadCsvColumn(*path, column)) {
      if (posts.size() >= limit) return posts;
      posts.push_back(std::move(post));
    }
  }
  return posts;
}

std::vector<std::string> GeneratedPosts(size_t count, uint32_t seed) {
  // Pieces chosen to exercise every normalization step; "\xCC\x81" etc. are
  // NFD combining marks, "\xE2\x80\x8B" is ZERO WIDTH SPACE.
  static const char* const kPieces[] = {
      "không",
      "ko",
      "đc",
      "được",
      "hoà",
      "hòa",
      "thuỷ",
      "khoẻ",
      "Người",
      "NGƯỜI",
      "ngu",
      "nguuuuu",
      "vcl",
      "đm",
      "ch3t",
      "l0n",
      "ng0",
      "f@ck",
      "du lịch",
      "đụ",
      "d\xE2\x80\x8Bu",
      "đ\xE2\x80\x8Bụ",
      "co\xCC\x82ng",
      "vie\xCC\xA3\xCC\x82t",
      "сон",
      "ｄｕ",
      "Ðà Nẵng",
      "giá 100.000đ",
      "50k",
      "2tr5",
      "0912.345.678",
      "+84912345678",
      "30%",
      "@ban_toi",
      "#thời_sự",
      "https://t.me/abc",
      "zalo.me/0912",
      "www.Example.com.",
      "👍",
      "👍🏽",
      "👨‍👩‍👧",
      "🇻🇳",
      "1️⃣",
      ":))",
      "!!!",
      "...",
      "\xFF",
      "\xC3",
      "\xED\xA0\x80",
      "covid19",
      "mp3",
      "4ever",
      "quá",
      "quáaaa",
      "gìa",
      "thuở",
      "khuỷu",
      "ngoài",
      "T\xC3\xB4I",
      "e\xCC\x81",
      "\xE2\x80\x8F",
      "a\xCC\x80\xCC\x81\xCC\x82\xCC\x83",
      "x",
  };
  constexpr size_t kNumPieces = sizeof(kPieces) / sizeof(kPieces[0]);
  static const char* const kSeparators[] = {" ", " ",  " ",  "  ", ", ",
                                            ".", "\t", "\n", "-",  "?"};
  std::mt19937 rng(seed);
  std::vector<std::string> posts;
  posts.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const size_t n = 1 + rng() % 25;
    std::string post;
    for (size_t k = 0; k < n; ++k) {
      if (k > 0) post += kSeparators[rng() % 10];
      post += kPieces[rng() % kNumPieces];
    }
    posts.push_back(std::move(post));
  }
  return posts;
}

const std::vector<std::string>& BenchmarkPosts() {
  static const std::vector<std::string>* posts = [] {
    auto* p = new std::vector<std::string>(SharedPosts(30000));
    if (p->empty()) {
      std::fprintf(stderr, "../shared absent: benchmarking generated posts\n");
      *p = GeneratedPosts(30000, 7);
    }
    return p;
  }();
  return *posts;
}

size_t TotalBytes(const std::vector<std::string>& posts) {
  size_t bytes = 0;
  for (const std::string& p : posts) bytes += p.size();
  return bytes;
}

}  // namespace vigil::testing
