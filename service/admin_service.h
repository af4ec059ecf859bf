// AdminService: lexicon information, reloads and backtests (admin role).
#ifndef VIGIL_SERVICE_ADMIN_SERVICE_H_
#define VIGIL_SERVICE_ADMIN_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <string>

#include "absl/status/status.h"
#include "service/auth.h"
#include "service/metrics.h"
#include "service/snapshot.h"
#include "service/store/flag_store.h"
#include "vigil/v1/admin.grpc.pb.h"

namespace vigil::service {

// Reloads the lexicons from `directory` (empty: the current one) and
// records the outcome and the new lexicon in `metrics`.
absl::Status ReloadSnapshot(SnapshotHolder* snapshots, Metrics* metrics,
                            const std::string& directory);

class AdminServiceImpl final : public v1::AdminService::CallbackService {
 public:
  // `store` (read by backtests) must outlive the service's calls.
  AdminServiceImpl(SnapshotHolder* snapshots, const Authorizer* authorizer,
                   Metrics* metrics, FlagStore* store)
      : snapshots_(snapshots),
        authorizer_(authorizer),
        metrics_(metrics),
        store_(store) {}

  grpc::ServerUnaryReactor* GetLexiconInfo(
      grpc::CallbackServerContext* context,
      const v1::GetLexiconInfoRequest* request,
      v1::LexiconInfo* response) override;
  grpc::ServerUnaryReactor* ReloadLexicons(
      grpc::CallbackServerContext* context,
      const v1::ReloadLexiconsRequest* request,
      v1::ReloadLexiconsResponse* response) override;
  grpc::ServerWriteReactor<v1::BacktestResponse>* Backtest(
      grpc::CallbackServerContext* context,
      const v1::BacktestRequest* request) override;

 private:
  SnapshotHolder* snapshots_;
  const Authorizer* authorizer_;
  Metrics* metrics_;
  FlagStore* store_;
  std::atomic<bool> backtest_running_{false};  // one at a time
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_ADMIN_SERVICE_H_
