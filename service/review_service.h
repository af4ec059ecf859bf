// ReviewService: the review queue, claims, decisions, history and
// campaigns, each a unary call into the flag store (ServeStoreCall).
#ifndef VIGIL_SERVICE_REVIEW_SERVICE_H_
#define VIGIL_SERVICE_REVIEW_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "service/auth.h"
#include "service/metrics.h"
#include "service/rpc_support.h"
#include "service/server.h"
#include "service/snapshot.h"
#include "vigil/v1/review.grpc.pb.h"

namespace vigil::service {

class ReviewServiceImpl final : public v1::ReviewService::CallbackService {
 public:
  ReviewServiceImpl(SnapshotHolder* snapshots, const Authorizer* authorizer,
                    FlagStore* store, Metrics* metrics,
                    const ServerOptions& options)
      : snapshots_(snapshots),
        authorizer_(authorizer),
        store_(store),
        metrics_(metrics),
        in_flight_(options.max_in_flight) {}

  grpc::ServerUnaryReactor* ListQueue(grpc::CallbackServerContext* context,
                                      const v1::ListQueueRequest* request,
                                      v1::ListQueueResponse* response) override;
  grpc::ServerUnaryReactor* GetItem(grpc::CallbackServerContext* context,
                                    const v1::GetItemRequest* request,
                                    v1::ReviewItem* response) override;
  grpc::ServerUnaryReactor* Claim(grpc::CallbackServerContext* context,
                                  const v1::ClaimRequest* request,
                                  v1::ReviewItem* response) override;
  grpc::ServerUnaryReactor* Release(grpc::CallbackServerContext* context,
                                    const v1::ReleaseRequest* request,
                                    v1::ReviewItem* response) override;
  grpc::ServerUnaryReactor* Decide(grpc::CallbackServerContext* context,
                                   const v1::DecideRequest* request,
                                   v1::ReviewItem* response) override;
  grpc::ServerUnaryReactor* Reopen(grpc::CallbackServerContext* context,
                                   const v1::ReopenRequest* request,
                                   v1::ReviewItem* response) override;
  grpc::ServerUnaryReactor* Comment(grpc::CallbackServerContext* context,
                                    const v1::CommentRequest* request,
                                    v1::ReviewEvent* response) override;
  grpc::ServerUnaryReactor* GetHistory(
      grpc::CallbackServerContext* context,
      const v1::GetHistoryRequest* request,
      v1::GetHistoryResponse* response) override;
  grpc::ServerUnaryReactor* ListClusters(
      grpc::CallbackServerContext* context,
      const v1::ListClustersRequest* request,
      v1::ListClustersResponse* response) override;
  grpc::ServerUnaryReactor* GetCluster(
      grpc::CallbackServerContext* context,
      const v1::GetClusterRequest* request,
      v1::GetClusterResponse* response) override;
  grpc::ServerUnaryReactor* DecideCluster(
      grpc::CallbackServerContext* context,
      const v1::DecideClusterRequest* request,
      v1::DecideClusterResponse* response) override;

 private:
  SnapshotHolder* snapshots_;
  const Authorizer* authorizer_;
  FlagStore* store_;
  Metrics* metrics_;
  InFlight in_flight_;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_REVIEW_SERVICE_H_
