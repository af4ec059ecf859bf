// The gRPC service implementations (callback API). Internal to the server.
#ifndef VIGIL_SERVICE_SERVICES_H_
#define VIGIL_SERVICE_SERVICES_H_

#include "service/auth.h"
#include "service/server.h"
#include "service/snapshot.h"
#include "vigil/v1/admin.grpc.pb.h"
#include "vigil/v1/analysis.grpc.pb.h"

namespace vigil::service {

class AnalysisServiceImpl final : public v1::AnalysisService::CallbackService {
 public:
  AnalysisServiceImpl(SnapshotHolder* snapshots, const Authorizer* authorizer,
                      const ServerOptions& options)
      : snapshots_(snapshots), authorizer_(authorizer), options_(options) {}

  grpc::ServerUnaryReactor* Analyze(grpc::CallbackServerContext* context,
                                    const v1::AnalyzeRequest* request,
                                    v1::AnalyzeResponse* response) override;
  grpc::ServerUnaryReactor* AnalyzeBatch(
      grpc::CallbackServerContext* context,
      const v1::AnalyzeBatchRequest* request,
      v1::AnalyzeBatchResponse* response) override;
  grpc::ServerBidiReactor<v1::AnalyzeRequest, v1::AnalyzeResponse>*
  AnalyzeStream(grpc::CallbackServerContext* context) override;

  // Checks a post against the limits; OK or INVALID_ARGUMENT.
  grpc::Status Validate(const v1::Post& post) const;
  // Analyzes one post into `response` with `snapshot`'s analyzer.
  static void AnalyzeOne(const SnapshotHolder::Snapshot& snapshot,
                         const v1::Post& post, v1::AnalyzeResponse* response);

  SnapshotHolder* snapshots() const { return snapshots_; }

 private:
  SnapshotHolder* snapshots_;
  const Authorizer* authorizer_;
  ServerOptions options_;
};

class AdminServiceImpl final : public v1::AdminService::CallbackService {
 public:
  AdminServiceImpl(SnapshotHolder* snapshots, const Authorizer* authorizer)
      : snapshots_(snapshots), authorizer_(authorizer) {}

  grpc::ServerUnaryReactor* GetLexiconInfo(
      grpc::CallbackServerContext* context,
      const v1::GetLexiconInfoRequest* request,
      v1::LexiconInfo* response) override;
  grpc::ServerUnaryReactor* ReloadLexicons(
      grpc::CallbackServerContext* context,
      const v1::ReloadLexiconsRequest* request,
      v1::ReloadLexiconsResponse* response) override;

 private:
  SnapshotHolder* snapshots_;
  const Authorizer* authorizer_;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_SERVICES_H_
