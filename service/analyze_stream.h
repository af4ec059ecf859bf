// The AnalyzeStream call: a pipelined bidirectional stream of posts.
//
// Reads run ahead of writes: each post read is analyzed at once and its
// flag (if any) handed to the store, while up to a window of posts wait to
// be answered, in request order. The front post is answered when its store
// write is done, so a response never acknowledges a flag that is not
// stored, and the store writes of one stream share group commits. A post
// over the limits, or a store failure, ends the stream with its status once
// the posts before it are answered.
//
// The reactor sees the analysis service only through StreamHost.
#ifndef VIGIL_SERVICE_ANALYZE_STREAM_H_
#define VIGIL_SERVICE_ANALYZE_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "analyzers/cluster/fingerprint.h"
#include "vigil/v1/analysis.grpc.pb.h"

namespace vigil::service {

// What a stream needs from the service that opened it. The host must
// outlive every stream it opened (the server waits for them to finish).
// Called from gRPC's and the store's threads: implementations are
// thread-safe.
class StreamHost {
 public:
  virtual ~StreamHost() = default;

  // Checks `post` against the limits and analyzes it into `*response` with
  // the current lexicon, and a flagged post's near-duplicate fingerprint
  // into `*fingerprint`; or the error (INVALID_ARGUMENT), both untouched.
  virtual grpc::Status AnalyzePost(
      const v1::Post& post, v1::AnalyzeResponse* response,
      std::optional<cluster::Fingerprint>* fingerprint) = 0;

  // Unless `dry_run`, stores the post's flag (if it is flagged) and counts
  // it in the statistics; then calls `done` with OK or the error to end the
  // stream with. `post` and `response` stay valid until `done` runs.
  virtual void StorePost(const v1::Post& post,
                         const v1::AnalyzeResponse& response,
                         std::optional<cluster::Fingerprint> fingerprint,
                         bool dry_run,
                         std::function<void(grpc::Status)> done) = 0;

  // The stream `who` opened at `start` ended with `status` after `posts`
  // posts, `flagged` of them flagged: records the call and frees its slot.
  virtual void StreamDone(const grpc::Status& status, const std::string& who,
                          int posts, int flagged,
                          std::chrono::steady_clock::time_point start) = 0;
};

// A reactor for one AnalyzeStream call by `who` (the token holder, or
// empty); it starts reading at once and deletes itself when the call and
// its store writes are done.
grpc::ServerBidiReactor<v1::AnalyzeRequest, v1::AnalyzeResponse>*
NewAnalyzeStream(StreamHost* host, std::string who);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_ANALYZE_STREAM_H_
