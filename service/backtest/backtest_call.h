// The AdminService.Backtest call: runs RunBacktest on a thread of its own
// and streams its progress and report to the client.
#ifndef VIGIL_SERVICE_BACKTEST_BACKTEST_CALL_H_
#define VIGIL_SERVICE_BACKTEST_BACKTEST_CALL_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "analyzers/analyzer.h"
#include "service/store/flag_store.h"
#include "vigil/v1/admin.pb.h"

namespace vigil::service {

// Starts a backtest of `request` against `store`, the serving analyzer
// `before` being the baseline, and returns the reactor that streams it.
// The work runs on the process's one backtest thread, at low CPU priority
// (nice 10), so that analysis requests on the same cores go first; progress
// messages that the client has not taken yet are replaced by newer ones (memory
// stays bounded however slow the client). Cancelling the call stops the
// backtest at the next page of items. `done(status)` runs just before the call
// finishes (for metrics and for the one-at-a-time slot). `store` must outlive
// the call (the server finishes every call before closing its store).
grpc::ServerWriteReactor<v1::BacktestResponse>* StartBacktestCall(
    const v1::BacktestRequest& request, FlagStore* store,
    std::shared_ptr<const Analyzer> before,
    std::function<void(const grpc::Status&)> done);

// A reactor that ends the call at once with `status` (refused calls).
grpc::ServerWriteReactor<v1::BacktestResponse>* RefusedBacktestCall(
    const grpc::Status& status);

// INVALID_ARGUMENT when the request's fields are out of range (checked
// before a backtest starts).
grpc::Status CheckBacktestRequest(const v1::BacktestRequest& request);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_BACKTEST_BACKTEST_CALL_H_
