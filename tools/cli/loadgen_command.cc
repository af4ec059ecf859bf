// `vigil loadgen`: a gRPC load generator for a vigil server on loopback.
//
// One issuing thread keeps at most --concurrency calls in flight (a
// semaphore of slots), optionally paced to --rate posts per second; the
// gRPC callback API completes them on its own threads, which record the
// latency in a log-bucketed histogram (2% resolution) and the status code,
// and free the slot. Stream mode opens --concurrency AnalyzeStream calls,
// each keeping up to --window posts outstanding; a post's latency is from
// its write to its response. Every mode stops by itself after --duration
// and drains what is in flight. The trivial mode calls grpc.health.v1
// Health/Check on the same server: the floor of what a unary call costs.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <iomanip>
#include <map>
#include <mutex>
#include <ostream>
#include <thread>

#include "service/server.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "vigil/v1/analysis.grpc.pb.h"

namespace vigil::cli {
namespace {

constexpr char kUsage[] =
    "usage: vigil loadgen [--target 127.0.0.1:50051] [--mode MODE]\n"
    "                     [--duration SECONDS] [--concurrency N] [--batch N]\n"
    "                     [--window N] [--rate POSTS_PER_S] [--posts FILE]\n"
    "                     [--dry-run]\n"
    "Loads a vigil server on loopback and reports throughput, latency\n"
    "percentiles and status codes. MODE: trivial (health check, the gRPC\n"
    "floor), unary (Analyze), batch (AnalyzeBatch of --batch posts, default\n"
    "100), stream (AnalyzeStream, --window posts in flight per stream,\n"
    "default 32) or all (default; each in turn). --duration per mode\n"
    "(default 10, at most 600), --concurrency calls or streams in flight\n"
    "(default 64), --rate paces unary and batch calls (posts/s; default: as\n"
    "fast as the server answers). Posts come from --posts (one per line) or\n"
    "a built-in sample. Flagged posts are stored unless --dry-run. The token\n"
    "is read from $VIGIL_TOKEN.\n";

// Built-in sample: clean posts and flagged ones, with and without
// diacritics, teencode and evasions, as ingestion sees them.
constexpr const char* kSamplePosts[] = {
    "hôm nay trời đẹp quá, đi cà phê không mọi người",
    "Thằng ngu vcl, nói chuyện như đồ óc chó",
    "sản phẩm dùng tốt, giao hàng nhanh, cảm ơn shop",
    "dm m cut di cho khuat mat",
    "Đ.M thằng này láo thật sự",
    "mình thấy bài viết này rất hữu ích, cảm ơn tác giả",
    "ko biet dc ko nua, de mai hoi lai",
    "cmnr, thua tiếp rồi anh em ơi",
    "du lịch Đà Lạt mùa này đẹp lắm",
    "inbox ngay để nhận quà miễn phí, click link bit.ly/abc",
    "bài hát hay quá, nghe hoài không chán",
    "mày mà còn nói nữa tao đánh chết mày",
    "sao lại có người ngu như vậy nhỉ",
    "chúc mừng sinh nhật bạn, chúc bạn luôn vui vẻ",
    "con chó nhà mày dễ thương quá",
    "nguuuuu vãiiii",
};

// Latencies in a log-bucketed histogram: bucket i holds values around
// 1.02^i microseconds.
class Histogram {
 public:
  void Add(std::chrono::nanoseconds latency) {
    const double us = std::max(1.0, latency.count() / 1000.0);
    const size_t bucket = std::min<size_t>(
        kBuckets - 1, static_cast<size_t>(std::log(us) / std::log(kBase)));
    counts_[bucket].fetch_add(1, std::memory_order_relaxed);
    total_.fetch_add(1, std::memory_order_relaxed);
  }
  // The `q` quantile in milliseconds.
  double QuantileMs(double q) const {
    const uint64_t total = total_.load();
    if (total == 0) return 0;
    const uint64_t rank = static_cast<uint64_t>(std::ceil(q * total));
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i].load();
      if (seen >= rank) return std::pow(kBase, i + 0.5) / 1000.0;
    }
    return std::pow(kBase, kBuckets) / 1000.0;
  }
  uint64_t total() const { return total_.load(); }

 private:
  static constexpr double kBase = 1.02;
  static constexpr size_t kBuckets = 1200;  // up to ~20 minutes
  std::array<std::atomic<uint64_t>, kBuckets> counts_{};
  std::atomic<uint64_t> total_{0};
};

struct Results {
  Histogram latency;
  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> posts{0};
  std::mutex mu;
  std::map<int, uint64_t> codes;  // guarded by mu

  void Finish(grpc::StatusCode code, uint64_t posts_done,
              std::chrono::steady_clock::time_point start) {
    latency.Add(std::chrono::steady_clock::now() - start);
    calls.fetch_add(1, std::memory_order_relaxed);
    if (code == grpc::StatusCode::OK) {
      posts.fetch_add(posts_done, std::memory_order_relaxed);
    }
    std::lock_guard<std::mutex> lock(mu);
    ++codes[code];
  }
};

// Slots for calls in flight.
class Slots {
 public:
  explicit Slots(int n) : free_(n) {}
  void Take() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return free_ > 0; });
    --free_;
  }
  void Give() {
    std::lock_guard<std::mutex> lock(mu_);
    ++free_;
    cv_.notify_all();
  }
  void WaitAllFree(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return free_ == n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int free_;
};

struct Config {
  std::string target;
  std::string token;
  std::chrono::seconds duration{10};
  int concurrency = 64;
  int batch = 100;
  int window = 32;
  double rate = 0;
  bool dry_run = false;
  std::vector<std::string> posts;
};

void Authorize(const Config& config, grpc::ClientContext* context) {
  if (!config.token.empty()) {
    context->AddMetadata("authorization", "Bearer " + config.token);
  }
}

// Issues calls from this thread until the duration ends; `start_call(slot
// done callback)` starts one call and returns how many posts it carries.
template <typename StartCall>
void RunIssuer(const Config& config, Slots& slots, StartCall start_call) {
  const auto begin = std::chrono::steady_clock::now();
  const auto end = begin + config.duration;
  double posts_issued = 0;
  while (std::chrono::steady_clock::now() < end) {
    slots.Take();
    if (config.rate > 0) {
      const auto due =
          begin +
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
              std::chrono::duration<double>(posts_issued / config.rate));
      std::this_thread::sleep_until(due);
      if (due >= end) {
        slots.Give();
        break;
      }
    }
    posts_issued += start_call();
  }
  slots.WaitAllFree(config.concurrency);
}

void RunTrivial(const Config& config, grpc::Channel* channel, Results& r) {
  grpc::GenericStub stub(channel->shared_from_this());
  Slots slots(config.concurrency);
  // HealthCheckRequest{} serializes to zero bytes.
  grpc::Slice no_bytes("", 0);
  const grpc::ByteBuffer empty(&no_bytes, 1);
  RunIssuer(config, slots, [&] {
    struct Call {
      grpc::ClientContext context;
      grpc::ByteBuffer response;
      std::chrono::steady_clock::time_point start;
    };
    auto* call = new Call;
    call->start = std::chrono::steady_clock::now();
    stub.UnaryCall(&call->context, "/grpc.health.v1.Health/Check",
                   grpc::StubOptions(), &empty, &call->response,
                   [call, &r, &slots](grpc::Status status) {
                     r.Finish(status.error_code(), 1, call->start);
                     delete call;
                     slots.Give();
                   });
    return 1;
  });
}

// A call in flight: its context, messages and start time.
template <typename Request, typename Response>
struct Call {
  grpc::ClientContext context;
  Request request;
  Response response;
  std::chrono::steady_clock::time_point start;
};

// Issues calls of one kind: `fill(request, next_post_number)` writes a
// request and returns how many posts it carries; `start(stub, call, done)`
// starts the RPC.
template <typename Request, typename Response, typename Fill, typename Start>
void RunAnalysisCalls(const Config& config, grpc::Channel* channel, Results& r,
                      Fill fill, Start start) {
  auto stub = v1::AnalysisService::NewStub(channel->shared_from_this());
  Slots slots(config.concurrency);
  uint64_t n = 0;
  RunIssuer(config, slots, [&] {
    auto* call = new Call<Request, Response>;
    Authorize(config, &call->context);
    call->request.set_dry_run(config.dry_run);
    const int posts = fill(&call->request, &n);
    call->start = std::chrono::steady_clock::now();
    start(stub.get(), call, [call, &r, &slots, posts](grpc::Status status) {
      r.Finish(status.error_code(), posts, call->start);
      delete call;
      slots.Give();
    });
    return posts;
  });
}

void FillPost(const Config& config, uint64_t n, v1::Post* post) {
  post->set_source("loadgen");
  post->set_id(std::to_string(n));
  post->set_text(config.posts[n % config.posts.size()]);
}

void RunUnary(const Config& config, grpc::Channel* channel, Results& r) {
  using Request = v1::AnalyzeRequest;
  using Response = v1::AnalyzeResponse;
  RunAnalysisCalls<Request, Response>(
      config, channel, r,
      [&config](Request* request, uint64_t* n) {
        FillPost(config, (*n)++, request->mutable_post());
        return 1;
      },
      [](v1::AnalysisService::Stub* stub, Call<Request, Response>* call,
         std::function<void(grpc::Status)> done) {
        stub->async()->Analyze(&call->context, &call->request, &call->response,
                               std::move(done));
      });
}

void RunBatch(const Config& config, grpc::Channel* channel, Results& r) {
  using Request = v1::AnalyzeBatchRequest;
  using Response = v1::AnalyzeBatchResponse;
  RunAnalysisCalls<Request, Response>(
      config, channel, r,
      [&config](Request* request, uint64_t* n) {
        for (int i = 0; i < config.batch; ++i) {
          FillPost(config, (*n)++, request->add_posts());
        }
        return config.batch;
      },
      [](v1::AnalysisService::Stub* stub, Call<Request, Response>* call,
         std::function<void(grpc::Status)> done) {
        stub->async()->AnalyzeBatch(&call->context, &call->request,
                                    &call->response, std::move(done));
      });
}

// One AnalyzeStream with up to `window` posts outstanding.
class StreamClient final
    : public grpc::ClientBidiReactor<v1::AnalyzeRequest, v1::AnalyzeResponse> {
 public:
  StreamClient(v1::AnalysisService::Stub* stub, const Config& config, int index,
               std::chrono::steady_clock::time_point end, Results& results)
      : config_(config), index_(index), end_(end), results_(results) {
    Authorize(config, &context_);
    stub->async()->AnalyzeStream(&context_, this);
    StartRead(&response_);
    std::lock_guard<std::mutex> lock(mu_);
    MaybeWrite();
    StartCall();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) {
      done_writing_ = true;
      return;
    }
    MaybeWrite();
  }

  void OnReadDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!ok) return;  // the stream ended; OnDone follows
    const auto start = sent_.front();
    sent_.pop_front();
    results_.latency.Add(std::chrono::steady_clock::now() - start);
    results_.posts.fetch_add(1, std::memory_order_relaxed);
    StartRead(&response_);
    MaybeWrite();
  }

  void OnDone(const grpc::Status& status) override {
    {
      std::lock_guard<std::mutex> lock(results_.mu);
      ++results_.codes[status.error_code()];
    }
    results_.calls.fetch_add(1);
    std::lock_guard<std::mutex> lock(done_mu_);
    finished_ = true;
    done_cv_.notify_all();
  }

  void Wait() {
    std::unique_lock<std::mutex> lock(done_mu_);
    done_cv_.wait(lock, [this] { return finished_; });
  }

 private:
  // Writes the next post when the window has room (mu_ held).
  void MaybeWrite() {
    if (writing_ || done_writing_) return;
    if (std::chrono::steady_clock::now() >= end_) {
      done_writing_ = true;
      StartWritesDone();
      return;
    }
    if (static_cast<int>(sent_.size()) >= config_.window) return;
    request_.Clear();
    request_.set_dry_run(config_.dry_run);
    v1::Post* post = request_.mutable_post();
    post->set_source("loadgen-stream");
    post->set_id(std::to_string(index_) + "-" + std::to_string(next_));
    post->set_text(config_.posts[next_ % config_.posts.size()]);
    ++next_;
    sent_.push_back(std::chrono::steady_clock::now());
    writing_ = true;
    StartWrite(&request_);
  }

  const Config& config_;
  const int index_;
  const std::chrono::steady_clock::time_point end_;
  Results& results_;
  grpc::ClientContext context_;
  std::mutex mu_;
  v1::AnalyzeRequest request_;
  v1::AnalyzeResponse response_;
  std::deque<std::chrono::steady_clock::time_point> sent_;
  uint64_t next_ = 0;
  bool writing_ = false;
  bool done_writing_ = false;
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  bool finished_ = false;
};

void RunStream(const Config& config, grpc::Channel* channel, Results& r) {
  auto stub = v1::AnalysisService::NewStub(channel->shared_from_this());
  const auto end = std::chrono::steady_clock::now() + config.duration;
  std::vector<std::unique_ptr<StreamClient>> streams;
  for (int i = 0; i < config.concurrency; ++i) {
    streams.push_back(
        std::make_unique<StreamClient>(stub.get(), config, i, end, r));
  }
  for (auto& s : streams) s->Wait();
}

void Report(const std::string& mode, const Results& r, double seconds,
            std::ostream& out) {
  out << std::left << std::setw(12) << mode << std::right << std::fixed
      << std::setprecision(0) << std::setw(10) << r.calls.load() / seconds
      << std::setw(11) << r.posts.load() / seconds << std::setprecision(3)
      << std::setw(9) << r.latency.QuantileMs(0.5) << std::setw(9)
      << r.latency.QuantileMs(0.9) << std::setw(9) << r.latency.QuantileMs(0.99)
      << "  ";
  std::lock_guard<std::mutex> lock(const_cast<Results&>(r).mu);
  bool first = true;
  for (const auto& [code, n] : r.codes) {
    out << (first ? "" : ",") << code << ":" << n;
    first = false;
  }
  out << "\n";
}

}  // namespace

int RunLoadgen(const std::vector<std::string>& args, const char*,
               std::ostream& out, std::ostream& err) {
  ParsedFlags flags =
      ParseFlags(args,
                 {"--target", "--mode", "--duration", "--concurrency",
                  "--batch", "--window", "--rate", "--posts"},
                 {"-h", "--help", "--dry-run"});
  if (flags.Has("-h") || flags.Has("--help")) {
    out << kUsage;
    return 0;
  }
  Config config;
  config.target = flags.Get("--target", "127.0.0.1:50051");
  config.dry_run = flags.Has("--dry-run");
  if (const char* token = std::getenv("VIGIL_TOKEN")) config.token = token;
  int64_t duration = 10;
  flags.GetWholeNumber("--duration", 1, 600, &duration);
  config.duration = std::chrono::seconds(duration);
  flags.GetWholeNumber("--concurrency", 1, 10000, &config.concurrency);
  flags.GetWholeNumber("--batch", 1, 100000, &config.batch);
  flags.GetWholeNumber("--window", 1, 10000, &config.window);
  int64_t rate = 0;
  flags.GetWholeNumber("--rate", 1, 100000000, &rate);
  config.rate = static_cast<double>(rate);
  const std::string mode = flags.Get("--mode", "all");
  if (mode != "all" && mode != "trivial" && mode != "unary" &&
      mode != "batch" && mode != "stream") {
    flags.Fail("--mode takes trivial, unary, batch, stream or all");
  }
  if (!vigil::service::IsLoopbackAddress(config.target)) {
    flags.Fail(
        "--target must be a loopback address (127.0.0.1:PORT, "
        "localhost:PORT, [::1]:PORT): loadgen is for measuring, "
        "not for loading other hosts");
  }
  if (flags.ReportUsageError("loadgen", kUsage, err)) return 2;
  if (!flags.Get("--posts").empty()) {
    std::ifstream in(flags.Get("--posts"));
    if (!in) {
      err << "vigil loadgen: cannot read " << flags.Get("--posts") << "\n";
      return 2;
    }
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) config.posts.push_back(line);
    }
    if (config.posts.empty()) {
      err << "vigil loadgen: " << flags.Get("--posts") << " has no posts\n";
      return 2;
    }
  } else {
    config.posts.assign(std::begin(kSamplePosts), std::end(kSamplePosts));
  }

  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(256 << 20);
  auto channel = grpc::CreateCustomChannel(
      config.target, grpc::InsecureChannelCredentials(), channel_args);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                 std::chrono::seconds(5))) {
    err << "vigil loadgen: cannot connect to " << config.target << "\n";
    return 1;
  }
  out << "target " << config.target << ", " << config.concurrency
      << " in flight, " << duration << " s per mode, " << config.posts.size()
      << " distinct posts" << (config.dry_run ? ", dry run" : ", flags stored")
      << "\n";
  out << std::left << std::setw(12) << "mode" << std::right << std::setw(10)
      << "calls/s" << std::setw(11) << "posts/s" << std::setw(9) << "p50 ms"
      << std::setw(9) << "p90 ms" << std::setw(9) << "p99 ms"
      << "  codes\n";
  std::map<std::string, double> posts_per_second;
  auto run = [&](const std::string& name, auto body) {
    Results results;
    const auto start = std::chrono::steady_clock::now();
    body(config, channel.get(), results);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    std::string label = name;
    if (name == "batch") label += "(" + std::to_string(config.batch) + ")";
    Report(label, results, seconds, out);
    posts_per_second[name] = results.posts.load() / seconds;
  };
  if (mode == "all" || mode == "trivial") run("trivial", RunTrivial);
  if (mode == "all" || mode == "unary") run("unary", RunUnary);
  if (mode == "all" || mode == "batch") run("batch", RunBatch);
  if (mode == "all" || mode == "stream") run("stream", RunStream);
  if (posts_per_second.count("trivial") && posts_per_second.count("unary") &&
      posts_per_second["trivial"] > 0) {
    out << "unary Analyze at " << std::setprecision(1)
        << 100 * posts_per_second["unary"] / posts_per_second["trivial"]
        << "% of the trivial-call floor\n";
  }
  return 0;
}

}  // namespace vigil::cli
