#include "service/admin_service.h"

#include <grpcpp/grpcpp.h>

#include "service/backtest/backtest_call.h"
#include "service/log.h"
#include "service/rpc_support.h"
#include "service/verdict_proto.h"

namespace vigil::service {

absl::Status ReloadSnapshot(SnapshotHolder* snapshots, Metrics* metrics,
                            const std::string& directory) {
  const auto start = std::chrono::steady_clock::now();
  const absl::Status status = snapshots->Reload(directory);
  metrics->ObserveReload(status.ok());
  if (status.ok()) {
    const auto snapshot = snapshots->Get();
    metrics->SetLexicon(
        snapshot->analyzer->version(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count(),
        snapshot->loaded_at);
  }
  return status;
}

grpc::ServerUnaryReactor* AdminServiceImpl::GetLexiconInfo(
    grpc::CallbackServerContext* context, const v1::GetLexiconInfoRequest*,
    v1::LexiconInfo* response) {
  const auto start = std::chrono::steady_clock::now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::string who;
  grpc::Status status =
      authorizer_->Check(*context, Rpc::kGetLexiconInfo, &who);
  if (status.ok()) ToProto(*snapshots_->Get(), response);
  RecordRpc(metrics_, "GetLexiconInfo", status, who, 0, 0, start);
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminServiceImpl::ReloadLexicons(
    grpc::CallbackServerContext* context,
    const v1::ReloadLexiconsRequest* request,
    v1::ReloadLexiconsResponse* response) {
  const auto start = std::chrono::steady_clock::now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::string who;
  grpc::Status status =
      authorizer_->Check(*context, Rpc::kReloadLexicons, &who);
  if (status.ok()) {
    const absl::Status reloaded =
        ReloadSnapshot(snapshots_, metrics_, request->directory());
    if (reloaded.ok()) {
      ToProto(*snapshots_->Get(), response->mutable_info());
      Log(LogLevel::kInfo, "reloaded",
          "lexicon=" + response->info().version() + " who=" + Quote(who));
    } else {
      status = grpc::Status(reloaded.code() == absl::StatusCode::kNotFound
                                ? grpc::StatusCode::NOT_FOUND
                                : grpc::StatusCode::INVALID_ARGUMENT,
                            std::string(reloaded.message()));
    }
  }
  RecordRpc(metrics_, "ReloadLexicons", status, who, 0, 0, start);
  reactor->Finish(status);
  return reactor;
}

grpc::ServerWriteReactor<v1::BacktestResponse>* AdminServiceImpl::Backtest(
    grpc::CallbackServerContext* context, const v1::BacktestRequest* request) {
  const auto start = std::chrono::steady_clock::now();
  std::string who;
  grpc::Status status = authorizer_->Check(*context, Rpc::kBacktest, &who);
  if (status.ok()) status = CheckBacktestRequest(*request);
  if (status.ok() && backtest_running_.exchange(true)) {
    status = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "a backtest is running; one runs at a time");
  }
  if (!status.ok()) {
    RecordRpc(metrics_, "Backtest", status, who, 0, 0, start);
    return RefusedBacktestCall(status);
  }
  Log(LogLevel::kInfo, "backtest_started",
      "directory=" + Quote(request->directory()) + " who=" + Quote(who));
  return StartBacktestCall(
      *request, store_, snapshots_->Get()->analyzer,
      [this, who, start](const grpc::Status& status) {
        backtest_running_ = false;
        RecordRpc(metrics_, "Backtest", status, who, 0, 0, start);
        Log(status.ok() ? LogLevel::kInfo : LogLevel::kWarning, "backtest_done",
            "code=" + std::to_string(status.error_code()) + " message=" +
                Quote(status.error_message()) + " who=" + Quote(who));
      });
}

}  // namespace vigil::service
