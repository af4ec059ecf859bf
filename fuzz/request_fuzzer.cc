// Fuzzes request handling: the bytes are decoded as an AnalyzeRequest, as
// gRPC would, then validated and analyzed as the AnalysisService does, and
// the response is encoded. Nothing may crash; every hit must lie inside
// the post, and only a flagged post gets a campaign fingerprint.
#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <cstdlib>
#include <optional>

#include "analyzers/analyzer.h"
#include "service/analysis_service.h"
#include "service/metrics.h"
#include "service/rpc_support.h"
#include "service/snapshot.h"

namespace {

struct Fixture {
  vigil::service::ServerOptions options;
  std::unique_ptr<vigil::service::SnapshotHolder> snapshots;
  vigil::service::Metrics metrics;
  std::unique_ptr<vigil::service::AnalysisServiceImpl> service;
  Fixture() {
    auto analyzer =
        vigil::Analyzer::Load(VIGIL_SOURCE_DIR "/tests/fixtures/lexicon");
    if (!analyzer.ok()) std::abort();
    snapshots = std::make_unique<vigil::service::SnapshotHolder>(
        vigil::service::SnapshotHolder::Snapshot{
            *analyzer, "", std::chrono::system_clock::now()});
    options.max_post_bytes = 1 << 16;
    service = std::make_unique<vigil::service::AnalysisServiceImpl>(
        snapshots.get(), nullptr, nullptr, &metrics, nullptr, options);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Invalid UTF-8 in string fields is refused by the parser, which would
  // log every time.
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)quiet;
  static Fixture* fixture = new Fixture();
  vigil::v1::AnalyzeRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  vigil::service::StreamHost& host = *fixture->service;
  vigil::v1::AnalyzeResponse response;
  std::optional<vigil::cluster::Fingerprint> fingerprint;
  if (!host.AnalyzePost(request.post(), &response, &fingerprint).ok()) {
    return 0;
  }
  // Only a flagged post gets a fingerprint (for its campaign).
  if (fingerprint.has_value() && !response.verdict().flagged()) std::abort();
  const size_t bytes = vigil::service::PostBytes(request.post()).size();
  for (const auto& hit : response.verdict().hits()) {
    if (hit.begin() >= hit.end() || hit.end() > bytes) std::abort();
  }
  std::string encoded;
  if (!response.SerializeToString(&encoded)) std::abort();
  return 0;
}
