// Metrics: the server's Prometheus metrics, served over HTTP (prometheus-cpp)
// at http://HOST:PORT/metrics.
//
//   Metrics metrics;
//   if (auto s = metrics.Serve("127.0.0.1:9464"); !s.ok()) ...;
//   metrics.ObserveRpc("Analyze", grpc::StatusCode::OK, 0.0003);
//
// Families (all prefixed vigil_):
//   rpcs_total{method,code}            calls finished, by gRPC status code
//   rpc_duration_seconds{method}       call latency histogram
//   posts_analyzed_total               posts analyzed
//   posts_flagged_total                posts flagged
//   posts_sampled_total                unflagged posts chosen for the
//                                      quality sample and stored
//   flags_total{category}              flags per category
//   store_duration_seconds{op}         store call latency histogram
//   store_errors_total{op}             store calls that failed
//   lexicon_info{version}              1 for the serving lexicon
//   lexicon_load_seconds               time the serving lexicon took to load
//   lexicon_loaded_timestamp_seconds   when it was loaded
//   lexicon_reloads_total{result}      reloads, ok or rejected
//   queue_items{status}                review items by status, read from
//                                      the store at each scrape
// Labels never carry post text or token names.
//
// Thread safety: every method may be called from any thread.
#ifndef VIGIL_SERVICE_METRICS_H_
#define VIGIL_SERVICE_METRICS_H_

#include <grpcpp/support/status.h>

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "analyzers/match/category.h"
#include "service/http/http_server.h"
#include "service/store/flag_store.h"
#include "vigil/v1/analysis.pb.h"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace vigil::service {

class Metrics {
 public:
  Metrics();
  ~Metrics();

  // Serves /metrics on `listen` (HOST:PORT; port 0 picks a free one) with
  // `limits`' connection settings (its listen and TLS fields are ignored).
  // UNAVAILABLE when the address cannot be bound.
  absl::Status Serve(const std::string& listen, HttpServerOptions limits = {});
  // The bound port, 0 before Serve().
  int port() const { return port_; }

  // A finished call.
  void ObserveRpc(std::string_view method, grpc::StatusCode code,
                  double seconds);
  // One analyzed post's verdict.
  void ObserveVerdict(const v1::Verdict& verdict);
  // `n` unflagged posts chosen for the quality sample were stored (a re-sent
  // post counts again; the store keeps one item).
  void ObserveSampled(int n);
  // A store call (op: record_flagged, list_queue, claim, ...).
  void ObserveStore(std::string_view op, double seconds, bool ok);
  // The serving lexicon changed (at start and after each good reload).
  void SetLexicon(const std::string& version, double load_seconds,
                  std::chrono::system_clock::time_point loaded_at);
  void ObserveReload(bool ok);
  // Where queue_items comes from (null: not reported).
  using QueueDepthSource =
      std::function<absl::StatusOr<std::map<std::string, int64_t>>()>;
  void SetQueueDepthSource(QueueDepthSource source);
  // Where the campaign gauges (vigil_clusters, vigil_cluster_largest_items,
  // vigil_clustered_items) come from (null: not reported).
  using ClusterCountsSource = std::function<absl::StatusOr<ClusterCounts>()>;
  void SetClusterCountsSource(ClusterCountsSource source);

  // Posts analyzed and flagged since start.
  int64_t posts_analyzed() const;
  int64_t posts_flagged() const;

  // The text exposition format, as /metrics serves it.
  std::string Render() const;

 private:
  class QueueDepth;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<QueueDepth> queue_depth_;
  std::unique_ptr<HttpServer> http_;  // serves /metrics
  int port_ = 0;

  prometheus::Family<prometheus::Counter>* rpcs_;
  prometheus::Family<prometheus::Histogram>* rpc_seconds_;
  prometheus::Counter* posts_analyzed_;
  prometheus::Counter* posts_flagged_;
  prometheus::Counter* posts_sampled_;
  std::array<prometheus::Counter*, match::kNumCategories> flags_{};
  prometheus::Family<prometheus::Histogram>* store_seconds_;
  prometheus::Family<prometheus::Counter>* store_errors_;
  prometheus::Family<prometheus::Gauge>* lexicon_info_;
  prometheus::Gauge* lexicon_load_seconds_;
  prometheus::Gauge* lexicon_loaded_at_;
  prometheus::Counter* reloads_ok_;
  prometheus::Counter* reloads_rejected_;

  absl::Mutex mu_;
  std::map<std::pair<std::string, int>, prometheus::Counter*, std::less<>>
      rpc_counters_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Histogram*, std::less<>> rpc_histograms_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Histogram*, std::less<>> store_histograms_
      ABSL_GUARDED_BY(mu_);
  prometheus::Gauge* lexicon_gauge_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_METRICS_H_
