// Fuzzes request handling: the bytes are decoded as an AnalyzeRequest, as
// gRPC would, then validated and analyzed as the AnalysisService does, and
// the response is encoded. Nothing may crash; every hit must lie inside
// the post, and only a flagged post gets a campaign fingerprint. The request
// and the response print as JSON with vigil's printer as with protobuf's:
// the same document, and the same text once the maps are taken out
// (protobuf prints them in hash order, vigil in key order).
#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "analyzers/analyzer.h"
#include "service/analysis_service.h"
#include "service/metrics.h"
#include "service/proto_json.h"
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

// Aborts unless both printers print `message` as the same JSON document.
void CheckJson(const google::protobuf::Message* message) {
  auto direct = vigil::service::MessageJson(*message);
  auto protobuf = vigil::service::ProtobufMessageJson(*message);
  if (direct.ok() != protobuf.ok()) std::abort();
  if (!direct.ok()) return;
  if (nlohmann::json::parse(*direct) != nlohmann::json::parse(*protobuf)) {
    std::abort();
  }
}

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
  CheckJson(&request);
  CheckJson(&response);
  request.mutable_post()->clear_metadata();
  response.mutable_verdict()->clear_scores();
  response.mutable_verdict()->clear_severities();
  response.mutable_verdict()->clear_learned_scores();
  for (google::protobuf::Message* m :
       std::initializer_list<google::protobuf::Message*>{&request, &response}) {
    if (vigil::service::MessageJson(*m) !=
        vigil::service::ProtobufMessageJson(*m)) {
      std::abort();
    }
  }
  return 0;
}
