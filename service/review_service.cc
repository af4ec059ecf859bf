#include <grpcpp/grpcpp.h>

#include "service/log.h"
#include "service/services.h"

namespace vigil::service {
namespace {

// Without a tokens file (loopback development) every caller is this one
// reviewer.
constexpr char kLocalReviewer[] = "local";

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbers.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

}  // namespace

template <typename Body>
grpc::ServerUnaryReactor* ReviewServiceImpl::Serve(
    grpc::CallbackServerContext* context, std::string_view method, Rpc rpc,
    Body&& body) {
  const auto start = std::chrono::steady_clock::now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::string who;
  grpc::Status status = authorizer_->Check(*context, rpc, &who);
  if (status.ok() && !in_flight_.TryEnter()) status = InFlight::Overloaded();
  if (status.ok()) {
    const absl::Status result =
        body(who.empty() ? std::string(kLocalReviewer) : who);
    // Caller errors (a bad filter, a taken claim) are not store failures.
    const bool store_ok =
        result.ok() || (result.code() != absl::StatusCode::kUnavailable &&
                        result.code() != absl::StatusCode::kInternal &&
                        result.code() != absl::StatusCode::kAborted);
    metrics_->ObserveStore(
        method,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count(),
        store_ok);
    status = ToGrpc(result);
    in_flight_.Leave();
  }
  RecordRpc(metrics_, method, status, who, 0, 0, start);
  reactor->Finish(status);
  return reactor;
}

// Runs `call` and moves its value into `*out`.
template <typename T, typename Call>
absl::Status Into(T* out, Call&& call) {
  auto result = call();
  if (!result.ok()) return result.status();
  *out = *std::move(result);
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* ReviewServiceImpl::ListQueue(
    grpc::CallbackServerContext* context, const v1::ListQueueRequest* request,
    v1::ListQueueResponse* response) {
  return Serve(context, "ListQueue", Rpc::kReviewRead, [&](const auto&) {
    return Into(response, [&] { return store_->ListQueue(*request); });
  });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::GetItem(
    grpc::CallbackServerContext* context, const v1::GetItemRequest* request,
    v1::ReviewItem* response) {
  return Serve(context, "GetItem", Rpc::kReviewRead, [&](const auto&) {
    return Into(response, [&] { return store_->GetItem(request->item_id()); });
  });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::Claim(
    grpc::CallbackServerContext* context, const v1::ClaimRequest* request,
    v1::ReviewItem* response) {
  return Serve(context, "Claim", Rpc::kReviewWrite, [&](const std::string& r) {
    return Into(response, [&] { return store_->Claim(*request, r); });
  });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::Release(
    grpc::CallbackServerContext* context, const v1::ReleaseRequest* request,
    v1::ReviewItem* response) {
  return Serve(
      context, "Release", Rpc::kReviewWrite, [&](const std::string& r) {
        return Into(response,
                    [&] { return store_->Release(request->item_id(), r); });
      });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::Decide(
    grpc::CallbackServerContext* context, const v1::DecideRequest* request,
    v1::ReviewItem* response) {
  return Serve(context, "Decide", Rpc::kReviewWrite, [&](const std::string& r) {
    const std::string version = snapshots_->Get()->analyzer->version();
    return Into(response, [&] { return store_->Decide(*request, r, version); });
  });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::Reopen(
    grpc::CallbackServerContext* context, const v1::ReopenRequest* request,
    v1::ReviewItem* response) {
  return Serve(context, "Reopen", Rpc::kReviewWrite, [&](const std::string& r) {
    return Into(response, [&] { return store_->Reopen(*request, r); });
  });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::Comment(
    grpc::CallbackServerContext* context, const v1::CommentRequest* request,
    v1::ReviewEvent* response) {
  return Serve(
      context, "Comment", Rpc::kReviewWrite, [&](const std::string& r) {
        return Into(response, [&] { return store_->Comment(*request, r); });
      });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::GetHistory(
    grpc::CallbackServerContext* context, const v1::GetHistoryRequest* request,
    v1::GetHistoryResponse* response) {
  return Serve(context, "GetHistory", Rpc::kReviewRead, [&](const auto&) {
    return Into(response,
                [&] { return store_->GetHistory(request->item_id()); });
  });
}

}  // namespace vigil::service
