// The reactor's state changes under mu_; the gRPC operations they call for
// (a write, the finish) run after mu_ is released, so that a reaction gRPC
// runs inline cannot deadlock on it. At most one write is in flight: a
// progress message waiting behind it is replaced by the next one, the
// report never is, and Finish follows the last write.
#include "service/backtest/backtest_call.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <deque>
#include <functional>
#include <optional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "service/backtest/backtest.h"
#include "service/log.h"
#include "service/rpc_support.h"
#include "service/snapshot.h"
#include "service/store/proto_time.h"

namespace vigil::service {
namespace {

// The one thread that runs every backtest, one after another, at nice 10
// (on Linux a thread's nice value is its own), so that analysis requests on
// the same cores go first. One long-lived thread rather than one per
// backtest: each new thread's frees land in another malloc arena, and the
// server's RSS grew some 12 MiB with every backtest.
class BacktestThread {
 public:
  static BacktestThread& Get() {
    static BacktestThread* const thread = new BacktestThread();  // never freed
    return *thread;
  }

  void Post(std::function<void()> task) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    tasks_.push_back(std::move(task));
  }

 private:
  BacktestThread() {
    std::thread([this] { Loop(); }).detach();
  }

  void Loop() ABSL_LOCKS_EXCLUDED(mu_) {
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
    while (true) {
      std::function<void()> task;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](std::deque<std::function<void()>>* tasks) {
              return !tasks->empty();
            },
            &tasks_));
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
      task = nullptr;
      // The candidate lexicons (as large as the serving ones) go back to
      // the system.
      ReturnFreedMemory();
    }
  }

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
};

class BacktestReactor final
    : public grpc::ServerWriteReactor<v1::BacktestResponse> {
 public:
  BacktestReactor(const v1::BacktestRequest& request, FlagStore* store,
                  std::shared_ptr<const Analyzer> before,
                  std::function<void(const grpc::Status&)> done)
      : request_(request),
        store_(store),
        before_(std::move(before)),
        done_(std::move(done)) {
    BacktestThread::Get().Post([this] { Work(); });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) cancelled_ = true;  // the client is gone
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      actions = Next();
    }
    Run(actions);
  }

  void OnCancel() override { cancelled_ = true; }

  // Work() has returned or is returning from Finish, touching nothing of
  // this reactor after it.
  void OnDone() override { delete this; }

 private:
  struct Actions {
    const v1::BacktestResponse* write = nullptr;
    bool finish = false;
  };

  // Under mu_: what to do now that nothing may be in flight.
  Actions Next() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Actions actions;
    if (writing_ || finished_) return actions;
    if (queued_.has_value()) {
      in_flight_ = *std::move(queued_);
      queued_.reset();
      writing_ = true;
      actions.write = &in_flight_;
    } else if (final_.has_value()) {
      finished_ = true;
      final_status_ = *final_;
      actions.finish = true;
    }
    return actions;
  }

  void Run(const Actions& actions) {
    if (actions.write != nullptr) StartWrite(actions.write);
    if (actions.finish) {
      // Before Finish: a client that has the status may start the next
      // backtest at once.
      done_(final_status_);
      Finish(final_status_);
    }
  }

  // Queues `message` (a progress message replaces a queued one; the report
  // is the last message).
  void Send(v1::BacktestResponse message) {
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      if (message.has_progress() && queued_.has_value() &&
          queued_->has_report()) {
        return;
      }
      queued_ = std::move(message);
      actions = Next();
    }
    Run(actions);
  }

  void Complete(grpc::Status status) {
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      final_ = std::move(status);
      actions = Next();
    }
    Run(actions);
  }

  void Work() {
    auto after = Analyzer::Load(request_.directory());
    if (!after.ok()) {
      Complete(grpc::Status(after.status().code() == absl::StatusCode::kNotFound
                                ? grpc::StatusCode::NOT_FOUND
                                : grpc::StatusCode::INVALID_ARGUMENT,
                            std::string(after.status().message())));
      return;
    }
    BacktestOptions options;
    if (request_.has_since()) {
      options.since = absl::FromUnixMicros(Micros(request_.since()));
    }
    if (request_.max_item_ids() > 0) {
      options.max_item_ids = static_cast<int>(request_.max_item_ids());
    }
    if (request_.max_terms() > 0) {
      options.max_terms = static_cast<int>(request_.max_terms());
    }
    options.cancelled = [this] { return cancelled_.load(); };
    options.progress = [this](const v1::BacktestProgress& progress) {
      v1::BacktestResponse message;
      *message.mutable_progress() = progress;
      Send(std::move(message));
    };
    absl::StatusOr<v1::BacktestReport> report =
        RunBacktest(*store_, *before_, **after, options);
    after->reset();
    if (!report.ok()) {
      Complete(ToGrpcStatus(report.status()));
      return;
    }
    report->set_directory(request_.directory());
    v1::BacktestResponse message;
    *message.mutable_report() = *std::move(report);
    Send(std::move(message));
    Complete(grpc::Status::OK);
  }

  const v1::BacktestRequest request_;
  FlagStore* const store_;
  const std::shared_ptr<const Analyzer> before_;
  const std::function<void(const grpc::Status&)> done_;
  std::atomic<bool> cancelled_{false};

  absl::Mutex mu_;
  std::optional<v1::BacktestResponse> queued_ ABSL_GUARDED_BY(mu_);
  std::optional<grpc::Status> final_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  // Written under mu_ before the write or the finish starts; read by gRPC
  // (in_flight_) and by OnDone (final_status_) after.
  v1::BacktestResponse in_flight_;
  grpc::Status final_status_;
};

class RefusedBacktest final
    : public grpc::ServerWriteReactor<v1::BacktestResponse> {
 public:
  explicit RefusedBacktest(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<v1::BacktestResponse>* RefusedBacktestCall(
    const grpc::Status& status) {
  return new RefusedBacktest(status);
}

grpc::Status CheckBacktestRequest(const v1::BacktestRequest& request) {
  if (request.directory().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "directory (the candidate lexicons) is required");
  }
  if (request.has_since() && !ValidTimestamp(request.since())) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "since is not a valid time");
  }
  if (request.max_item_ids() > 1000) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "max_item_ids is at most 1000");
  }
  if (request.max_terms() > 10000) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "max_terms is at most 10000");
  }
  return grpc::Status::OK;
}

grpc::ServerWriteReactor<v1::BacktestResponse>* StartBacktestCall(
    const v1::BacktestRequest& request, FlagStore* store,
    std::shared_ptr<const Analyzer> before,
    std::function<void(const grpc::Status&)> done) {
  return new BacktestReactor(request, store, std::move(before),
                             std::move(done));
}

}  // namespace vigil::service
