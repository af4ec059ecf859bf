#include <grpcpp/grpcpp.h>

#include <deque>
#include <mutex>
#include <optional>

#include "analyzers/util/strings.h"
#include "service/log.h"
#include "service/services.h"
#include "service/verdict_proto.h"

namespace vigil::service {

void RecordRpc(Metrics* metrics, std::string_view method,
               const grpc::Status& status, const std::string& who, int posts,
               int flagged, std::chrono::steady_clock::time_point start) {
  const double ms = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count();
  metrics->ObserveRpc(method, status.error_code(), ms / 1000);
  char took[32];
  std::snprintf(took, sizeof(took), "%.3f", ms);
  std::string fields =
      StrCat("method=", method, " code=", static_cast<int>(status.error_code()),
             " who=", Quote(who.empty() ? "-" : who), " posts=", posts,
             " flagged=", flagged, " ms=", std::string_view(took));
  if (!status.ok()) {
    fields.append(" error=").append(Quote(status.error_message()));
  }
  Log(status.ok() ? LogLevel::kDebug : LogLevel::kWarning, "rpc", fields);
}

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

void AnalysisServiceImpl::AnalyzeOne(const SnapshotHolder::Snapshot& snapshot,
                                     const v1::Post& post, Metrics* metrics,
                                     v1::AnalyzeResponse* response) {
  const Analyzer::Result result = snapshot.analyzer->Analyze(PostBytes(post));
  response->set_post_id(post.id());
  ToProto(*snapshot.analyzer, result, response->mutable_verdict());
  metrics->ObserveVerdict(response->verdict());
}

void AnalysisServiceImpl::StoreAndCount(
    std::vector<const v1::Post*> posts,
    std::vector<const v1::AnalyzeResponse*> responses, bool dry_run,
    std::function<void(grpc::Status)> done) {
  if (dry_run) {
    done(grpc::Status::OK);
    return;
  }
  std::vector<FlaggedPost> flagged;
  for (size_t i = 0; i < posts.size(); ++i) {
    if (!responses[i]->verdict().flagged()) continue;
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
    flagged.push_back({*posts[i], responses[i]->verdict()});
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
      std::move(flagged), [this, start, count, posts = std::move(posts),
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
  AnalyzeOne(*snapshots_->Get(), request->post(), metrics_, response);
  // Answered when the flag (if any) is stored; the call's thread moves on.
  StoreAndCount({&request->post()}, {response}, request->dry_run(),
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
  auto finish = [this, reactor, request, response, who,
                 start](grpc::Status status) {
    if (!status.ok()) response->Clear();
    int flagged = 0;
    for (const v1::AnalyzeResponse& r : response->results()) {
      flagged += r.verdict().flagged();
    }
    RecordRpc(metrics_, "AnalyzeBatch", status, who, request->posts_size(),
              flagged, start);
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
    AnalyzeOne(*snapshot, post, metrics_, response->add_results());
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
  StoreAndCount(std::move(posts), std::move(results), request->dry_run(),
                [this, finish](grpc::Status status) {
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

namespace {

// A pipelined stream. Reads run ahead of writes: each post read is
// analyzed at once and its flag (if any) handed to the store, while up to
// kWindow posts wait for their turn to be answered, in request order. The
// front post is written when its store write is done, so a response never
// acknowledges a flag that is not stored, and the store writes of one
// stream share group commits. A post over the limits, or a store failure,
// ends the stream with its status once the posts before it are answered.
//
// State changes under mu_; the gRPC operations they call for (read, write,
// finish) and the final delete run after mu_ is released, so a reaction
// that gRPC runs inline cannot deadlock on it.
class StreamReactor final
    : public grpc::ServerBidiReactor<v1::AnalyzeRequest, v1::AnalyzeResponse> {
 public:
  StreamReactor(AnalysisServiceImpl* service, std::string who)
      : service_(service),
        who_(std::move(who)),
        start_(std::chrono::steady_clock::now()) {
    reading_ = true;
    StartRead(&read_buffer_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client finished sending (or the call broke)
      Actions actions;
      {
        std::lock_guard<std::mutex> lock(mu_);
        reading_ = false;
        reads_done_ = true;
        actions = Next();
      }
      Run(actions);
      return;
    }
    // Only one read is outstanding, so read_buffer_ is this thread's.
    auto pending = std::make_unique<Pending>();
    pending->request = std::move(read_buffer_);
    read_buffer_.Clear();
    ++posts_;
    const grpc::Status invalid = service_->Validate(pending->request.post());
    if (invalid.ok()) {
      AnalysisServiceImpl::AnalyzeOne(*service_->snapshots()->Get(),
                                      pending->request.post(),
                                      service_->metrics(), &pending->response);
    } else {
      pending->status = invalid;
      pending->ready = true;
    }
    Pending* raw = pending.get();
    Actions actions;
    {
      std::lock_guard<std::mutex> lock(mu_);
      reading_ = false;
      pending_.push_back(std::move(pending));
      if (!invalid.ok()) reads_done_ = true;  // read no further
      if (invalid.ok()) ++storing_;
      actions = Next();
    }
    Run(actions);
    if (!invalid.ok()) return;
    service_->StoreAndCount({&raw->request.post()}, {&raw->response},
                            raw->request.dry_run(),
                            [this, raw](grpc::Status status) {
                              Actions actions;
                              {
                                std::lock_guard<std::mutex> lock(mu_);
                                --storing_;
                                raw->status = std::move(status);
                                raw->ready = true;
                                actions = Next();
                              }
                              Run(actions);
                            });
  }

  void OnWriteDone(bool ok) override {
    Actions actions;
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = false;
      if (ok) {
        flagged_ += pending_.front()->response.verdict().flagged();
        pending_.pop_front();
      } else {
        reads_done_ = true;
        End(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"),
            &actions);
      }
      Actions next = Next();
      if (!actions.finish) actions = next;
    }
    Run(actions);
  }

  void OnDone() override {
    RecordRpc(service_->metrics(), "AnalyzeStream", status_, who_, posts_,
              flagged_, start_);
    service_->streams().Leave();
    Actions actions;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
      actions.destroy = storing_ == 0;
    }
    Run(actions);
  }

 private:
  static constexpr size_t kWindow = 64;

  struct Pending {
    v1::AnalyzeRequest request;
    v1::AnalyzeResponse response;
    grpc::Status status;
    bool ready = false;  // analyzed, and its flag stored (or failed)
  };

  // What to do once mu_ is released.
  struct Actions {
    bool read = false;
    const v1::AnalyzeResponse* write = nullptr;
    std::optional<grpc::Status> finish;
    bool destroy = false;
  };

  // The next steps for the current state (mu_ held).
  Actions Next() {
    Actions actions;
    // Store callbacks may outlive the call: the last one out deletes.
    if (done_) {
      actions.destroy = storing_ == 0;
      return actions;
    }
    if (ended_) return actions;
    if (!reading_ && !reads_done_ && pending_.size() < kWindow) {
      reading_ = true;
      actions.read = true;
    }
    if (!writing_ && !pending_.empty() && pending_.front()->ready) {
      if (!pending_.front()->status.ok()) {
        // Nothing acknowledged that was not stored, nor anything after it.
        // An outstanding read ends with the call.
        reads_done_ = true;
        actions.read = false;
        End(pending_.front()->status, &actions);
        return actions;
      }
      writing_ = true;
      actions.write = &pending_.front()->response;
    }
    if (reads_done_ && !reading_ && pending_.empty() && !writing_) {
      End(grpc::Status::OK, &actions);
    }
    return actions;
  }

  void End(const grpc::Status& status, Actions* actions) {
    if (ended_) return;
    ended_ = true;
    status_ = status;
    actions->finish = status;
  }

  void Run(const Actions& actions) {
    if (actions.destroy) {
      delete this;
      return;
    }
    if (actions.read) StartRead(&read_buffer_);
    if (actions.write != nullptr) StartWrite(actions.write);
    if (actions.finish) Finish(*actions.finish);
  }

  AnalysisServiceImpl* service_;
  const std::string who_;
  const std::chrono::steady_clock::time_point start_;
  v1::AnalyzeRequest read_buffer_;
  int posts_ = 0;  // touched by reads only
  std::mutex mu_;
  std::deque<std::unique_ptr<Pending>> pending_;
  int flagged_ = 0;
  int storing_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  bool reads_done_ = false;
  bool ended_ = false;
  bool done_ = false;
  grpc::Status status_;
};

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
  return new StreamReactor(this, std::move(who));
}

}  // namespace vigil::service
