#include "service/analyze_stream.h"

#include <deque>
#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace vigil::service {
namespace {

// State changes under mu_; the gRPC operations they call for (read, write,
// finish) and the final delete run after mu_ is released, so a reaction
// that gRPC runs inline cannot deadlock on it.
class StreamReactor final
    : public grpc::ServerBidiReactor<v1::AnalyzeRequest, v1::AnalyzeResponse> {
 public:
  StreamReactor(StreamHost* host, std::string who)
      : host_(host),
        who_(std::move(who)),
        start_(std::chrono::steady_clock::now()) {
    {
      absl::MutexLock lock(&mu_);
      reading_ = true;
    }
    StartRead(&read_buffer_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client finished sending (or the call broke)
      Actions actions;
      {
        absl::MutexLock lock(&mu_);
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
    std::optional<cluster::Fingerprint> fingerprint;
    const grpc::Status invalid = host_->AnalyzePost(
        pending->request.post(), &pending->response, &fingerprint);
    if (!invalid.ok()) {
      pending->status = invalid;
      pending->ready = true;
    }
    Pending* raw = pending.get();
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      reading_ = false;
      pending_.push_back(std::move(pending));
      if (!invalid.ok()) reads_done_ = true;  // read no further
      if (invalid.ok()) ++storing_;
      actions = Next();
    }
    Run(actions);
    if (!invalid.ok()) return;
    host_->StorePost(raw->request.post(), raw->response, std::move(fingerprint),
                     raw->request.dry_run(), [this, raw](grpc::Status status) {
                       Actions actions;
                       {
                         absl::MutexLock lock(&mu_);
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
      absl::MutexLock lock(&mu_);
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
    grpc::Status status;
    int flagged;
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
      status = status_;
      flagged = flagged_;
      actions.destroy = storing_ == 0;
    }
    host_->StreamDone(status, who_, posts_, flagged, start_);
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

  // The next steps for the current state.
  Actions Next() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
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

  void End(const grpc::Status& status, Actions* actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (ended_) return;
    ended_ = true;
    status_ = status;
    actions->finish = status;
  }

  void Run(const Actions& actions) ABSL_LOCKS_EXCLUDED(mu_) {
    if (actions.destroy) {
      delete this;
      return;
    }
    if (actions.read) StartRead(&read_buffer_);
    if (actions.write != nullptr) StartWrite(actions.write);
    if (actions.finish) Finish(*actions.finish);
  }

  StreamHost* const host_;
  const std::string who_;
  const std::chrono::steady_clock::time_point start_;
  // Touched by the one outstanding read only.
  v1::AnalyzeRequest read_buffer_;
  int posts_ = 0;

  absl::Mutex mu_;
  std::deque<std::unique_ptr<Pending>> pending_ ABSL_GUARDED_BY(mu_);
  int flagged_ ABSL_GUARDED_BY(mu_) = 0;
  int storing_ ABSL_GUARDED_BY(mu_) = 0;  // store writes not yet done
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

grpc::ServerBidiReactor<v1::AnalyzeRequest, v1::AnalyzeResponse>*
NewAnalyzeStream(StreamHost* host, std::string who) {
  return new StreamReactor(host, std::move(who));
}

}  // namespace vigil::service
