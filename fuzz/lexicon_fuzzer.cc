// Fuzzes the lexicon parser: the input becomes the insult lexicon of an
// otherwise valid lexicon directory. Loading must give a snapshot or a
// status naming file:line, never crash; a loaded snapshot must analyze.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "analyzers/analyzer.h"

namespace {

const std::filesystem::path& Dir() {
  static const std::filesystem::path* const dir = [] {
    auto* d = new std::filesystem::path(
        std::filesystem::temp_directory_path() /
        ("vigil_lexicon_fuzz_" + std::to_string(::getpid())));
    std::filesystem::remove_all(*d);
    std::filesystem::copy(VIGIL_SOURCE_DIR "/tests/fixtures/lexicon", *d,
                          std::filesystem::copy_options::recursive);
    return d;
  }();
  return *dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  {
    std::ofstream out(Dir() / "insult.tsv", std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data),
              static_cast<std::streamsize>(size));
  }
  std::vector<vigil::match::LexiconProblem> problems;
  auto analyzer = vigil::Analyzer::Load(Dir().string(), &problems);
  if (analyzer.ok()) {
    (*analyzer)->Analyze("thằng ngu óc chó vcl");
  } else if (std::string(analyzer.status().message()).find(':') ==
             std::string::npos) {
    std::abort();  // a status that does not say where
  }
  return 0;
}
