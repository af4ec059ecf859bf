// Drop-in APIs: vigil answering as OpenAI's moderation endpoint and as
// Jigsaw's Perspective comment analyzer, so an integration written for
// either moves to vigil by changing its base URL.
//
//   POST /v1/moderations                  OpenAI's shape (Bearer token)
//   POST /v1alpha1/comments:analyze?key=  Perspective's shape (key = token)
//
// Both call vigil's own AnalysisService.AnalyzeBatch over the server's
// in-process channel, so roles (ingest, admin), limits, metrics and logs
// are the gRPC ones. Posts are analyzed and not stored (a dry run) unless
// the caller names them: OpenAI's body may carry
// `"vigil": {"source": S, "post_ids": [...]}` (one id per input), and
// Perspective's `clientToken` names the post when `doNotStore` is false
// (source: `communityId`, default "perspective"). Every category mapping
// is in dropin_categories.h; README.md "Drop-in APIs" has the tables.
//
// Errors come in the original's shape: OpenAI's
// {"error": {"message", "type", "param", "code"}}, Perspective's
// {"error": {"code", "message", "status", "details"}} (Google's API error).
//
// Thread safety: every method may be called from any number of threads.
#ifndef VIGIL_SERVICE_HTTP_DROPIN_API_H_
#define VIGIL_SERVICE_HTTP_DROPIN_API_H_

#include <grpcpp/channel.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/v1/analysis.grpc.pb.h"

namespace vigil::service {

class DropInApi {
 public:
  struct Reply {
    int http_status = 200;
    std::string body;  // JSON
  };

  // Calls go over `channel` (the server's in-process channel).
  explicit DropInApi(
      std::shared_ptr<grpc::Channel> channel,
      std::chrono::milliseconds deadline = std::chrono::seconds(30));

  // POST /v1/moderations: `authorization` is the request's Authorization
  // header ("Bearer <vigil token>").
  Reply Moderations(std::string_view body,
                    std::string_view authorization) const;

  // POST /v1alpha1/comments:analyze: `key` is the ?key= parameter (a vigil
  // token).
  Reply PerspectiveAnalyze(std::string_view body, std::string_view key) const;

  // A refusal the HTTP server makes before a handler runs (413: the body is
  // over the limit), in the shape of the API at `path`; nullopt for paths
  // that are not the drop-in APIs'.
  static std::optional<Reply> Refusal(std::string_view path, int http_status,
                                      std::string_view message);

 private:
  std::unique_ptr<v1::AnalysisService::Stub> stub_;
  std::chrono::milliseconds deadline_;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_HTTP_DROPIN_API_H_
