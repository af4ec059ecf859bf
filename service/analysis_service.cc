#include <grpcpp/grpcpp.h>

#include "service/services.h"
#include "service/verdict_proto.h"

namespace vigil::service {

grpc::Status AnalysisServiceImpl::Validate(const v1::Post& post) const {
  if (post.text().size() > options_.max_post_bytes) {
    return grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        "post '" + post.id() + "' is " + std::to_string(post.text().size()) +
            " bytes; the limit is " + std::to_string(options_.max_post_bytes));
  }
  return grpc::Status::OK;
}

void AnalysisServiceImpl::AnalyzeOne(const SnapshotHolder::Snapshot& snapshot,
                                     const v1::Post& post,
                                     v1::AnalyzeResponse* response) {
  const Analyzer::Result result = snapshot.analyzer->Analyze(post.text());
  response->set_post_id(post.id());
  ToProto(*snapshot.analyzer, result, response->mutable_verdict());
}

grpc::Status AnalysisServiceImpl::StoreFlagged(
    const v1::Post* const* posts, const v1::AnalyzeResponse* const* responses,
    size_t n, bool dry_run) {
  if (dry_run) return grpc::Status::OK;
  std::vector<FlaggedPost> flagged;
  for (size_t i = 0; i < n; ++i) {
    if (responses[i]->verdict().flagged()) {
      flagged.push_back({*posts[i], responses[i]->verdict()});
    }
  }
  if (flagged.empty()) return grpc::Status::OK;
  const absl::Status status = store_->RecordFlagged(flagged);
  if (!status.ok()) {
    return grpc::Status(
        grpc::StatusCode::UNAVAILABLE,
        "flag store unavailable: " + std::string(status.message()));
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* AnalysisServiceImpl::Analyze(
    grpc::CallbackServerContext* context, const v1::AnalyzeRequest* request,
    v1::AnalyzeResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = authorizer_->Check(*context, Rpc::kAnalyze);
  if (status.ok()) status = Validate(request->post());
  if (status.ok() && !in_flight_.TryEnter()) status = InFlight::Overloaded();
  if (status.ok()) {
    AnalyzeOne(*snapshots_->Get(), request->post(), response);
    const v1::Post* post = &request->post();
    const v1::AnalyzeResponse* result = response;
    status = StoreFlagged(&post, &result, 1, request->dry_run());
    in_flight_.Leave();
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AnalysisServiceImpl::AnalyzeBatch(
    grpc::CallbackServerContext* context,
    const v1::AnalyzeBatchRequest* request,
    v1::AnalyzeBatchResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (grpc::Status status = authorizer_->Check(*context, Rpc::kAnalyzeBatch);
      !status.ok()) {
    reactor->Finish(status);
    return reactor;
  }
  if (static_cast<size_t>(request->posts_size()) > options_.max_batch_posts) {
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 "batch of " +
                                     std::to_string(request->posts_size()) +
                                     " posts; the limit is " +
                                     std::to_string(options_.max_batch_posts)));
    return reactor;
  }
  for (const v1::Post& post : request->posts()) {
    grpc::Status status = Validate(post);
    if (!status.ok()) {
      reactor->Finish(status);
      return reactor;
    }
  }
  if (!in_flight_.TryEnter()) {
    reactor->Finish(InFlight::Overloaded());
    return reactor;
  }
  // One snapshot for the whole batch: every post judged by one lexicon.
  const std::shared_ptr<const SnapshotHolder::Snapshot> snapshot =
      snapshots_->Get();
  grpc::Status status = grpc::Status::OK;
  for (const v1::Post& post : request->posts()) {
    // Honour the deadline (and cancellation) between posts.
    if (context->IsCancelled()) {
      status = grpc::Status(grpc::StatusCode::CANCELLED, "batch cancelled");
      response->Clear();
      break;
    }
    if (context->deadline() < std::chrono::system_clock::now()) {
      status = grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                            "deadline passed during the batch");
      response->Clear();
      break;
    }
    AnalyzeOne(*snapshot, post, response->add_results());
  }
  if (status.ok()) {
    // The whole batch's flagged posts in one store call (one transaction).
    std::vector<const v1::Post*> posts;
    std::vector<const v1::AnalyzeResponse*> results;
    for (int i = 0; i < request->posts_size(); ++i) {
      posts.push_back(&request->posts(i));
      results.push_back(&response->results(i));
    }
    status = StoreFlagged(posts.data(), results.data(), posts.size(),
                          request->dry_run());
    if (!status.ok()) response->Clear();
  }
  in_flight_.Leave();
  reactor->Finish(status);
  return reactor;
}

namespace {

// Reads a post, writes its verdict, reads the next: responses leave in
// request order. A post over the limits ends the stream with its status.
class StreamReactor final
    : public grpc::ServerBidiReactor<v1::AnalyzeRequest, v1::AnalyzeResponse> {
 public:
  explicit StreamReactor(AnalysisServiceImpl* service) : service_(service) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client finished sending (or the call broke)
      Finish(grpc::Status::OK);
      return;
    }
    grpc::Status status = service_->Validate(request_.post());
    if (!status.ok()) {
      Finish(status);
      return;
    }
    response_.Clear();
    AnalysisServiceImpl::AnalyzeOne(*service_->snapshots()->Get(),
                                    request_.post(), &response_);
    const v1::Post* post = &request_.post();
    const v1::AnalyzeResponse* result = &response_;
    status = service_->StoreFlagged(&post, &result, 1, request_.dry_run());
    if (!status.ok()) {
      Finish(status);  // nothing acknowledged that was not stored
      return;
    }
    StartWrite(&response_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    StartRead(&request_);
  }

  void OnDone() override {
    service_->streams().Leave();
    delete this;
  }

 private:
  AnalysisServiceImpl* service_;
  v1::AnalyzeRequest request_;
  v1::AnalyzeResponse response_;
};

// Ends a stream at once with `status` (refused calls).
class RefusedStream final
    : public grpc::ServerBidiReactor<v1::AnalyzeRequest, v1::AnalyzeResponse> {
 public:
  explicit RefusedStream(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerBidiReactor<v1::AnalyzeRequest, v1::AnalyzeResponse>*
AnalysisServiceImpl::AnalyzeStream(grpc::CallbackServerContext* context) {
  grpc::Status status = authorizer_->Check(*context, Rpc::kAnalyzeStream);
  if (!status.ok()) return new RefusedStream(status);
  if (!streams_.TryEnter()) {
    return new RefusedStream(
        grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     "too many streams open; retry with backoff"));
  }
  return new StreamReactor(this);
}

}  // namespace vigil::service
