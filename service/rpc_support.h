// What every gRPC service of the server shares (internal to service/):
// recording a finished call, the in-flight limit, status mapping, and the
// unary store-call shape the review and statistics services use.
#ifndef VIGIL_SERVICE_RPC_SUPPORT_H_
#define VIGIL_SERVICE_RPC_SUPPORT_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "service/auth.h"
#include "service/metrics.h"
#include "vigil/v1/analysis.pb.h"

namespace vigil::service {

// Records a finished call: counts it and its latency in `metrics`, and logs
// it (errors at warning level, the rest at debug) with the method, the
// status code, who called (token holder), how many posts and how many
// flagged, and the time taken; never post text.
void RecordRpc(Metrics* metrics, std::string_view method,
               const grpc::Status& status, const std::string& who, int posts,
               int flagged, std::chrono::steady_clock::time_point start);

// Counts calls in flight against ServerOptions::max_in_flight.
class InFlight {
 public:
  explicit InFlight(int limit) : limit_(limit) {}
  // Takes a slot; false (and nothing taken) when all are busy.
  bool TryEnter() {
    if (count_.fetch_add(1) >= limit_) {
      count_.fetch_sub(1);
      return false;
    }
    return true;
  }
  void Leave() {
    count_.fetch_sub(1);
    finished_.fetch_add(1, std::memory_order_relaxed);
  }
  // Calls finished so far in this process, over every InFlight.
  static uint64_t Finished() {
    return finished_.load(std::memory_order_relaxed);
  }
  static grpc::Status Overloaded() {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "server overloaded: too many calls in flight; retry "
                        "with backoff");
  }

 private:
  const int limit_;
  std::atomic<int> count_{0};
  static inline std::atomic<uint64_t> finished_{0};
};

// The bytes of a post: its text, or its raw_text when the text is not
// valid UTF-8 (see analysis.proto).
inline const std::string& PostBytes(const v1::Post& post) {
  return post.raw_text().empty() ? post.text() : post.raw_text();
}

// absl and gRPC share the canonical status codes.
inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

// Runs `call` (returning absl::StatusOr<T>) and moves its value to `*out`.
template <typename T, typename Call>
absl::Status Into(T* out, Call&& call) {
  auto result = call();
  if (!result.ok()) return result.status();
  *out = *std::move(result);
  return absl::OkStatus();
}

// Without a tokens file (loopback development) every caller is this one
// reviewer.
inline constexpr char kLocalReviewer[] = "local";

// Checks the caller's role for `rpc` and a slot in `in_flight`, runs
// `body(reviewer)` (returning an absl::Status; `reviewer` is the token
// holder's name, kLocalReviewer without tokens), records the store latency
// and the call, and finishes it with the status mapped to gRPC's.
template <typename Body>
grpc::ServerUnaryReactor* ServeStoreCall(grpc::CallbackServerContext* context,
                                         std::string_view method, Rpc rpc,
                                         const Authorizer& authorizer,
                                         InFlight& in_flight, Metrics* metrics,
                                         Body&& body) {
  const auto start = std::chrono::steady_clock::now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::string who;
  grpc::Status status = authorizer.Check(*context, rpc, &who);
  if (status.ok() && !in_flight.TryEnter()) status = InFlight::Overloaded();
  if (status.ok()) {
    const absl::Status result =
        body(who.empty() ? std::string(kLocalReviewer) : who);
    // Caller errors (a bad filter, a taken claim) are not store failures.
    const bool store_ok =
        result.ok() || (result.code() != absl::StatusCode::kUnavailable &&
                        result.code() != absl::StatusCode::kInternal &&
                        result.code() != absl::StatusCode::kAborted);
    metrics->ObserveStore(
        method,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count(),
        store_ok);
    status = ToGrpcStatus(result);
    in_flight.Leave();
  }
  RecordRpc(metrics, method, status, who, 0, 0, start);
  reactor->Finish(status);
  return reactor;
}

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_RPC_SUPPORT_H_
