#include "service/review_service.h"

#include <grpcpp/grpcpp.h>

#include "service/cluster_view.h"
#include "service/log.h"

namespace vigil::service {

grpc::ServerUnaryReactor* ReviewServiceImpl::ListQueue(
    grpc::CallbackServerContext* context, const v1::ListQueueRequest* request,
    v1::ListQueueResponse* response) {
  return ServeStoreCall(
      context, "ListQueue", Rpc::kReviewRead, *authorizer_, in_flight_,
      metrics_, [&](const auto&) {
        return Into(response, [&] { return store_->ListQueue(*request); });
      });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::GetItem(
    grpc::CallbackServerContext* context, const v1::GetItemRequest* request,
    v1::ReviewItem* response) {
  return ServeStoreCall(context, "GetItem", Rpc::kReviewRead, *authorizer_,
                        in_flight_, metrics_, [&](const auto&) {
                          return Into(response, [&] {
                            return store_->GetItem(request->item_id());
                          });
                        });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::Claim(
    grpc::CallbackServerContext* context, const v1::ClaimRequest* request,
    v1::ReviewItem* response) {
  return ServeStoreCall(
      context, "Claim", Rpc::kReviewWrite, *authorizer_, in_flight_, metrics_,
      [&](const std::string& r) {
        return Into(response, [&] { return store_->Claim(*request, r); });
      });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::Release(
    grpc::CallbackServerContext* context, const v1::ReleaseRequest* request,
    v1::ReviewItem* response) {
  return ServeStoreCall(context, "Release", Rpc::kReviewWrite, *authorizer_,
                        in_flight_, metrics_, [&](const std::string& r) {
                          return Into(response, [&] {
                            return store_->Release(request->item_id(), r);
                          });
                        });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::Decide(
    grpc::CallbackServerContext* context, const v1::DecideRequest* request,
    v1::ReviewItem* response) {
  return ServeStoreCall(
      context, "Decide", Rpc::kReviewWrite, *authorizer_, in_flight_, metrics_,
      [&](const std::string& r) {
        const std::string version = snapshots_->Get()->analyzer->version();
        return Into(response,
                    [&] { return store_->Decide(*request, r, version); });
      });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::Reopen(
    grpc::CallbackServerContext* context, const v1::ReopenRequest* request,
    v1::ReviewItem* response) {
  return ServeStoreCall(
      context, "Reopen", Rpc::kReviewWrite, *authorizer_, in_flight_, metrics_,
      [&](const std::string& r) {
        return Into(response, [&] { return store_->Reopen(*request, r); });
      });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::Comment(
    grpc::CallbackServerContext* context, const v1::CommentRequest* request,
    v1::ReviewEvent* response) {
  return ServeStoreCall(
      context, "Comment", Rpc::kReviewWrite, *authorizer_, in_flight_, metrics_,
      [&](const std::string& r) {
        return Into(response, [&] { return store_->Comment(*request, r); });
      });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::GetHistory(
    grpc::CallbackServerContext* context, const v1::GetHistoryRequest* request,
    v1::GetHistoryResponse* response) {
  return ServeStoreCall(context, "GetHistory", Rpc::kReviewRead, *authorizer_,
                        in_flight_, metrics_, [&](const auto&) {
                          return Into(response, [&] {
                            return store_->GetHistory(request->item_id());
                          });
                        });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::ListClusters(
    grpc::CallbackServerContext* context,
    const v1::ListClustersRequest* request,
    v1::ListClustersResponse* response) {
  return ServeStoreCall(
      context, "ListClusters", Rpc::kReviewRead, *authorizer_, in_flight_,
      metrics_, [&](const auto&) {
        absl::Status status =
            Into(response, [&] { return store_->ListClusters(*request); });
        if (!status.ok()) return status;
        const auto snapshot = snapshots_->Get();
        for (v1::Cluster& c : *response->mutable_clusters()) {
          MarkVaryingParts(snapshot->analyzer->normalizer(), &c);
        }
        return status;
      });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::GetCluster(
    grpc::CallbackServerContext* context, const v1::GetClusterRequest* request,
    v1::GetClusterResponse* response) {
  return ServeStoreCall(
      context, "GetCluster", Rpc::kReviewRead, *authorizer_, in_flight_,
      metrics_, [&](const auto&) {
        absl::Status status =
            Into(response, [&] { return store_->GetCluster(*request); });
        if (!status.ok()) return status;
        MarkVaryingParts(snapshots_->Get()->analyzer->normalizer(),
                         response->mutable_cluster());
        return status;
      });
}

grpc::ServerUnaryReactor* ReviewServiceImpl::DecideCluster(
    grpc::CallbackServerContext* context,
    const v1::DecideClusterRequest* request,
    v1::DecideClusterResponse* response) {
  return ServeStoreCall(
      context, "DecideCluster", Rpc::kReviewWrite, *authorizer_, in_flight_,
      metrics_, [&](const std::string& r) {
        const std::string version = snapshots_->Get()->analyzer->version();
        absl::Status status = Into(response, [&] {
          return store_->DecideCluster(*request, r, version);
        });
        if (!status.ok()) return status;
        MarkVaryingParts(snapshots_->Get()->analyzer->normalizer(),
                         response->mutable_cluster());
        return status;
      });
}

}  // namespace vigil::service
