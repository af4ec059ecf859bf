#include "service/analysis_service.h"

#include <grpcpp/grpcpp.h>

#include "analyzers/util/strings.h"
#include "service/verdict_proto.h"

namespace vigil::service {

namespace {

// The name AnalyzeBatch is logged and counted under: the drop-in API that
// made the call (service/http/dropin_api.h names itself in metadata; only
// its two names are taken), else "AnalyzeBatch".
std::string BatchMethodName(const grpc::CallbackServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("x-vigil-dropin");
  if (it != metadata.end()) {
    const std::string_view api(it->second.data(), it->second.size());
    if (api == "openai.moderations" || api == "perspective.analyze") {
      return std::string(api);
    }
  }
  return "AnalyzeBatch";
}

}  // namespace

grpc::Status AnalysisServiceImpl::Validate(const v1::Post& post) const {
  // Ids name items in the store, where a NUL would cut them short.
  if (post.id().find('\0') != std::string::npos ||
      post.source().find('\0') != std::string::npos) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "post id and source must not contain NUL bytes");
  }
  if (!post.text().empty() && !post.raw_text().empty()) {
    return grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        "post '" + post.id() + "' sets both text and raw_text; set one");
  }
  const size_t size = PostBytes(post).size();
  if (size > options_.max_post_bytes) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "post '" + post.id() + "' is " + std::to_string(size) +
                            " bytes; the limit is " +
                            std::to_string(options_.max_post_bytes));
  }
  return grpc::Status::OK;
}

void AnalysisServiceImpl::AnalyzeOne(
    const SnapshotHolder::Snapshot& snapshot, const v1::Post& post,
    v1::AnalyzeResponse* response,
    std::optional<cluster::Fingerprint>* fingerprint) const {
  const Analyzer::Result result = snapshot.analyzer->Analyze(PostBytes(post));
  response->set_post_id(post.id());
  ToProto(*snapshot.analyzer, result, response->mutable_verdict());
  metrics_->ObserveVerdict(response->verdict());
  // Only flagged posts join clusters: the others need none.
  if (result.verdict.flagged && options_.campaigns) {
    *fingerprint = cluster::Fingerprint::Of(result.normalized);
  }
}

void AnalysisServiceImpl::StoreAndCount(
    std::vector<const v1::Post*> posts,
    std::vector<const v1::AnalyzeResponse*> responses,
    std::vector<std::optional<cluster::Fingerprint>> fingerprints, bool dry_run,
    std::function<void(grpc::Status)> done) {
  if (dry_run) {
    done(grpc::Status::OK);
    return;
  }
  std::vector<FlaggedPost> flagged;
  int sampled = 0;
  for (size_t i = 0; i < posts.size(); ++i) {
    if (!responses[i]->verdict().flagged()) {
      if (sampler_.Sampled(posts[i]->source(), posts[i]->id())) {
        flagged.push_back(
            {*posts[i], responses[i]->verdict(), true, std::nullopt});
        ++sampled;
      }
      continue;
    }
    if (posts[i]->id().empty()) {
      // The id names the review item: without one, every such post would
      // be the same item.
      done(grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          "post " + std::to_string(i) +
              " is flagged but has no id; the id names its review item (set "
              "an id, or dry_run to analyze without storing)"));
      return;
    }
    flagged.push_back(
        {*posts[i], responses[i]->verdict(), false,
         i < fingerprints.size() ? fingerprints[i] : std::nullopt});
  }
  // Counted once acknowledged: a failed call the client retries is not
  // counted twice.
  auto count = [this](
                   const std::vector<const v1::Post*>& posts,
                   const std::vector<const v1::AnalyzeResponse*>& responses) {
    const auto now = std::chrono::system_clock::now();
    for (size_t i = 0; i < posts.size(); ++i) {
      stats_->Record(posts[i]->source(), now, responses[i]->verdict());
    }
  };
  if (flagged.empty()) {
    count(posts, responses);
    done(grpc::Status::OK);
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  store_->RecordFlaggedAsync(
      std::move(flagged),
      [this, start, count, sampled, posts = std::move(posts),
       responses = std::move(responses),
       done = std::move(done)](absl::Status status) {
        metrics_->ObserveStore("RecordFlagged",
                               std::chrono::duration<double>(
                                   std::chrono::steady_clock::now() - start)
                                   .count(),
                               status.ok());
        if (!status.ok()) {
          done(grpc::Status(
              grpc::StatusCode::UNAVAILABLE,
              "flag store unavailable: " + std::string(status.message())));
          return;
        }
        count(posts, responses);
        metrics_->ObserveSampled(sampled);
        done(grpc::Status::OK);
      });
}

grpc::ServerUnaryReactor* AnalysisServiceImpl::Analyze(
    grpc::CallbackServerContext* context, const v1::AnalyzeRequest* request,
    v1::AnalyzeResponse* response) {
  const auto start = std::chrono::steady_clock::now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::string who;
  grpc::Status status = authorizer_->Check(*context, Rpc::kAnalyze, &who);
  if (status.ok()) status = Validate(request->post());
  if (status.ok() && !in_flight_.TryEnter()) status = InFlight::Overloaded();
  if (!status.ok()) {
    RecordRpc(metrics_, "Analyze", status, who, 1, 0, start);
    reactor->Finish(status);
    return reactor;
  }
  std::optional<cluster::Fingerprint> fingerprint;
  AnalyzeOne(*snapshots_->Get(), request->post(), response, &fingerprint);
  // Answered when the flag (if any) is stored; the call's thread moves on.
  StoreAndCount({&request->post()}, {response}, {std::move(fingerprint)},
                request->dry_run(),
                [this, reactor, response, who, start](grpc::Status status) {
                  in_flight_.Leave();
                  RecordRpc(metrics_, "Analyze", status, who, 1,
                            response->verdict().flagged(), start);
                  reactor->Finish(status);
                });
  return reactor;
}

grpc::ServerUnaryReactor* AnalysisServiceImpl::AnalyzeBatch(
    grpc::CallbackServerContext* context,
    const v1::AnalyzeBatchRequest* request,
    v1::AnalyzeBatchResponse* response) {
  const auto start = std::chrono::steady_clock::now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // `who` is known once the call is authorized: CheckBatch comes first,
  // so that `finish` logs who called.
  std::string who;
  grpc::Status status = CheckBatch(context, *request, &who);
  const std::string method = BatchMethodName(*context);
  auto finish = [this, reactor, request, response, who, start,
                 method](grpc::Status status) {
    if (!status.ok()) response->Clear();
    int flagged = 0;
    for (const v1::AnalyzeResponse& r : response->results()) {
      flagged += r.verdict().flagged();
    }
    RecordRpc(metrics_, method, status, who, request->posts_size(), flagged,
              start);
    reactor->Finish(status);
  };
  if (status.ok() && !in_flight_.TryEnter()) status = InFlight::Overloaded();
  if (!status.ok()) {
    finish(status);
    return reactor;
  }
  // One snapshot for the whole batch: every post judged by one lexicon.
  const std::shared_ptr<const SnapshotHolder::Snapshot> snapshot =
      snapshots_->Get();
  std::vector<std::optional<cluster::Fingerprint>> fingerprints(
      request->posts_size());
  int n = 0;
  for (const v1::Post& post : request->posts()) {
    // Honour cancellation and the deadline between posts.
    if (context->IsCancelled()) {
      status = grpc::Status(grpc::StatusCode::CANCELLED, "batch cancelled");
      break;
    }
    if (context->deadline() < std::chrono::system_clock::now()) {
      status = grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                            "deadline passed during the batch");
      break;
    }
    AnalyzeOne(*snapshot, post, response->add_results(), &fingerprints[n++]);
  }
  if (!status.ok()) {
    in_flight_.Leave();
    finish(status);
    return reactor;
  }
  // The whole batch's flagged posts in one store call (one transaction).
  std::vector<const v1::Post*> posts;
  std::vector<const v1::AnalyzeResponse*> results;
  for (int i = 0; i < request->posts_size(); ++i) {
    posts.push_back(&request->posts(i));
    results.push_back(&response->results(i));
  }
  StoreAndCount(std::move(posts), std::move(results), std::move(fingerprints),
                request->dry_run(), [this, finish](grpc::Status status) {
                  in_flight_.Leave();
                  finish(status);
                });
  return reactor;
}

grpc::Status AnalysisServiceImpl::CheckBatch(
    grpc::CallbackServerContext* context,
    const v1::AnalyzeBatchRequest& request, std::string* who) {
  if (grpc::Status status =
          authorizer_->Check(*context, Rpc::kAnalyzeBatch, who);
      !status.ok()) {
    return status;
  }
  if (static_cast<size_t>(request.posts_size()) > options_.max_batch_posts) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "batch of " + std::to_string(request.posts_size()) +
                            " posts; the limit is " +
                            std::to_string(options_.max_batch_posts));
  }
  for (const v1::Post& post : request.posts()) {
    if (grpc::Status status = Validate(post); !status.ok()) return status;
  }
  return grpc::Status::OK;
}

grpc::Status AnalysisServiceImpl::AnalyzePost(
    const v1::Post& post, v1::AnalyzeResponse* response,
    std::optional<cluster::Fingerprint>* fingerprint) {
  grpc::Status status = Validate(post);
  if (status.ok()) AnalyzeOne(*snapshots_->Get(), post, response, fingerprint);
  return status;
}

void AnalysisServiceImpl::StorePost(
    const v1::Post& post, const v1::AnalyzeResponse& response,
    std::optional<cluster::Fingerprint> fingerprint, bool dry_run,
    std::function<void(grpc::Status)> done) {
  StoreAndCount({&post}, {&response}, {std::move(fingerprint)}, dry_run,
                std::move(done));
}

void AnalysisServiceImpl::StreamDone(
    const grpc::Status& status, const std::string& who, int posts, int flagged,
    std::chrono::steady_clock::time_point start) {
  RecordRpc(metrics_, "AnalyzeStream", status, who, posts, flagged, start);
  streams_.Leave();
}

namespace {

// Ends a stream at once with `status` (refused calls).
class RefusedStream final
    : public grpc::ServerBidiReactor<v1::AnalyzeRequest, v1::AnalyzeResponse> {
 public:
  RefusedStream(Metrics* metrics, const grpc::Status& status,
                const std::string& who) {
    RecordRpc(metrics, "AnalyzeStream", status, who, 0, 0,
              std::chrono::steady_clock::now());
    Finish(status);
  }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerBidiReactor<v1::AnalyzeRequest, v1::AnalyzeResponse>*
AnalysisServiceImpl::AnalyzeStream(grpc::CallbackServerContext* context) {
  std::string who;
  grpc::Status status = authorizer_->Check(*context, Rpc::kAnalyzeStream, &who);
  if (!status.ok()) return new RefusedStream(metrics_, status, who);
  if (!streams_.TryEnter()) {
    return new RefusedStream(
        metrics_,
        grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     "too many streams open; retry with backoff"),
        who);
  }
  return NewAnalyzeStream(this, std::move(who));
}

}  // namespace vigil::service
