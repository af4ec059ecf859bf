#include "service/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <exception>
#include <optional>
#include <sstream>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "analyzers/util/strings.h"

namespace vigil::service {
namespace {

// Latency buckets from 50 µs to 10 s.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* const kBuckets =
      new prometheus::Histogram::BucketBoundaries{
          0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10};
  return *kBuckets;
}

}  // namespace

// vigil_queue_items{status}: asks the store at each scrape.
// Gauges read from the store at scrape time: the queue by status, and the
// campaigns (clusters).
class Metrics::QueueDepth final : public prometheus::Collectable {
 public:
  void Set(QueueDepthSource source) {
    absl::MutexLock lock(&mu_);
    source_ = std::move(source);
  }
  void SetClusters(ClusterCountsSource source) {
    absl::MutexLock lock(&mu_);
    clusters_ = std::move(source);
  }
  // When the store cannot answer, a series is left out of this scrape
  // (Prometheus then shows a gap; the logs and store metrics of the calls
  // that failed say why).
  std::vector<prometheus::MetricFamily> Collect() const override {
    absl::MutexLock lock(&mu_);
    std::vector<prometheus::MetricFamily> families;
    if (source_) {
      if (auto counts = source_(); counts.ok()) {
        prometheus::MetricFamily family =
            Gauge("vigil_queue_items", "Review items by status");
        for (const auto& [status, n] : *counts) {
          prometheus::ClientMetric metric;
          metric.label.push_back({"status", status});
          metric.gauge.value = static_cast<double>(n);
          family.metric.push_back(std::move(metric));
        }
        families.push_back(std::move(family));
      }
    }
    if (clusters_) {
      if (auto counts = clusters_(); counts.ok()) {
        families.push_back(Gauge("vigil_clusters",
                                 "Campaigns: clusters of near-duplicate "
                                 "flagged items",
                                 counts->clusters));
        families.push_back(Gauge("vigil_cluster_largest_items",
                                 "Items in the largest cluster",
                                 counts->largest));
        families.push_back(Gauge("vigil_clustered_items",
                                 "Flagged items that belong to a cluster",
                                 counts->clustered_items));
      }
    }
    return families;
  }

 private:
  // A gauge family; with `value`, its one unlabeled series.
  static prometheus::MetricFamily Gauge(std::string name, std::string help,
                                        std::optional<int64_t> value = {}) {
    prometheus::MetricFamily family;
    family.name = std::move(name);
    family.help = std::move(help);
    family.type = prometheus::MetricType::Gauge;
    if (value.has_value()) {
      prometheus::ClientMetric metric;
      metric.gauge.value = static_cast<double>(*value);
      family.metric.push_back(std::move(metric));
    }
    return family;
  }

  mutable absl::Mutex mu_;
  QueueDepthSource source_ ABSL_GUARDED_BY(mu_);
  ClusterCountsSource clusters_ ABSL_GUARDED_BY(mu_);
};

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      queue_depth_(std::make_shared<QueueDepth>()) {
  rpcs_ = &prometheus::BuildCounter()
               .Name("vigil_rpcs_total")
               .Help("gRPC calls finished, by method and status code")
               .Register(*registry_);
  rpc_seconds_ = &prometheus::BuildHistogram()
                      .Name("vigil_rpc_duration_seconds")
                      .Help("gRPC call latency in seconds, by method")
                      .Register(*registry_);
  posts_analyzed_ = &prometheus::BuildCounter()
                         .Name("vigil_posts_analyzed_total")
                         .Help("Posts analyzed")
                         .Register(*registry_)
                         .Add({});
  posts_flagged_ = &prometheus::BuildCounter()
                        .Name("vigil_posts_flagged_total")
                        .Help("Posts flagged in at least one category")
                        .Register(*registry_)
                        .Add({});
  posts_sampled_ =
      &prometheus::BuildCounter()
           .Name("vigil_posts_sampled_total")
           .Help(
               "Unflagged posts chosen for the quality sample and stored (a "
               "re-sent post counts again; the store keeps one item)")
           .Register(*registry_)
           .Add({});
  auto& flags = prometheus::BuildCounter()
                    .Name("vigil_flags_total")
                    .Help("Flags by category (a post may flag several)")
                    .Register(*registry_);
  for (int c = 0; c < match::kNumCategories; ++c) {
    flags_[c] =
        &flags.Add({{"category", std::string(match::kCategoryNames[c])}});
  }
  store_seconds_ = &prometheus::BuildHistogram()
                        .Name("vigil_store_duration_seconds")
                        .Help("Review store call latency in seconds, by op")
                        .Register(*registry_);
  store_errors_ = &prometheus::BuildCounter()
                       .Name("vigil_store_errors_total")
                       .Help("Review store calls that failed, by op")
                       .Register(*registry_);
  // Present from the start (at 0), so that rate() and alerts see it.
  store_errors_->Add({{"op", "RecordFlagged"}});
  lexicon_info_ = &prometheus::BuildGauge()
                       .Name("vigil_lexicon_info")
                       .Help("1 for the lexicon version being served")
                       .Register(*registry_);
  lexicon_load_seconds_ =
      &prometheus::BuildGauge()
           .Name("vigil_lexicon_load_seconds")
           .Help("Seconds the serving lexicon snapshot took to build")
           .Register(*registry_)
           .Add({});
  lexicon_loaded_at_ =
      &prometheus::BuildGauge()
           .Name("vigil_lexicon_loaded_timestamp_seconds")
           .Help("Unix time the serving lexicon snapshot was loaded")
           .Register(*registry_)
           .Add({});
  auto& reloads = prometheus::BuildCounter()
                      .Name("vigil_lexicon_reloads_total")
                      .Help("Lexicon reloads, by result")
                      .Register(*registry_);
  reloads_ok_ = &reloads.Add({{"result", "ok"}});
  reloads_rejected_ = &reloads.Add({{"result", "rejected"}});
}

Metrics::~Metrics() { http_.reset(); }  // stop serving before the rest goes

absl::Status Metrics::Serve(const std::string& listen,
                            HttpServerOptions limits) {
  // Served by HttpServer, not prometheus-cpp's Exposer: CivetWeb under the
  // Exposer serves each connection on one of a fixed set of worker threads
  // (2 by default), so two half-open connections starved it (measured: 40
  // half-open connections, GET /metrics timed out after 12 s), and
  // surviving a thousand would take a thousand threads kept for good.
  limits.listen = listen;
  auto server = HttpServer::StartPage(
      limits, "/metrics", "text/plain; version=0.0.4; charset=utf-8",
      [this] { return Render(); });
  if (!server.ok()) {
    return absl::Status(server.status().code(),
                        StrCat("cannot serve metrics on ", listen, ": ",
                               std::string(server.status().message())));
  }
  http_ = *std::move(server);
  port_ = http_->port();
  return absl::OkStatus();
}

void Metrics::ObserveRpc(std::string_view method, grpc::StatusCode code,
                         double seconds) {
  prometheus::Counter* counter;
  prometheus::Histogram* histogram;
  {
    absl::MutexLock lock(&mu_);
    auto key = std::make_pair(std::string(method), static_cast<int>(code));
    auto it = rpc_counters_.find(key);
    if (it == rpc_counters_.end()) {
      it =
          rpc_counters_
              .emplace(key, &rpcs_->Add({{"method", key.first},
                                         {"code", std::to_string(key.second)}}))
              .first;
    }
    counter = it->second;
    auto h = rpc_histograms_.find(method);
    if (h == rpc_histograms_.end()) {
      h = rpc_histograms_
              .emplace(std::string(method),
                       &rpc_seconds_->Add({{"method", std::string(method)}},
                                          LatencyBuckets()))
              .first;
    }
    histogram = h->second;
  }
  counter->Increment();
  histogram->Observe(seconds);
}

void Metrics::ObserveVerdict(const v1::Verdict& verdict) {
  posts_analyzed_->Increment();
  if (!verdict.flagged()) return;
  posts_flagged_->Increment();
  for (const std::string& name : verdict.flagged_categories()) {
    if (auto c = match::ParseCategory(name)) {
      flags_[static_cast<int>(*c)]->Increment();
    }
  }
}

void Metrics::ObserveStore(std::string_view op, double seconds, bool ok) {
  prometheus::Histogram* histogram;
  {
    absl::MutexLock lock(&mu_);
    auto h = store_histograms_.find(op);
    if (h == store_histograms_.end()) {
      h = store_histograms_
              .emplace(std::string(op),
                       &store_seconds_->Add({{"op", std::string(op)}},
                                            LatencyBuckets()))
              .first;
    }
    histogram = h->second;
    if (!ok) store_errors_->Add({{"op", std::string(op)}}).Increment();
  }
  histogram->Observe(seconds);
}

void Metrics::SetLexicon(const std::string& version, double load_seconds,
                         std::chrono::system_clock::time_point loaded_at) {
  absl::MutexLock lock(&mu_);
  if (lexicon_gauge_ != nullptr) lexicon_info_->Remove(lexicon_gauge_);
  lexicon_gauge_ = &lexicon_info_->Add({{"version", version}});
  lexicon_gauge_->Set(1);
  lexicon_load_seconds_->Set(load_seconds);
  lexicon_loaded_at_->Set(
      std::chrono::duration<double>(loaded_at.time_since_epoch()).count());
}

void Metrics::ObserveReload(bool ok) {
  (ok ? reloads_ok_ : reloads_rejected_)->Increment();
}

void Metrics::SetQueueDepthSource(QueueDepthSource source) {
  queue_depth_->Set(std::move(source));
}

void Metrics::SetClusterCountsSource(ClusterCountsSource source) {
  queue_depth_->SetClusters(std::move(source));
}

int64_t Metrics::posts_analyzed() const {
  return static_cast<int64_t>(posts_analyzed_->Value());
}

void Metrics::ObserveSampled(int n) {
  if (n > 0) posts_sampled_->Increment(n);
}

int64_t Metrics::posts_flagged() const {
  return static_cast<int64_t>(posts_flagged_->Value());
}

std::string Metrics::Render() const {
  std::ostringstream out;
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (auto& family : queue_depth_->Collect()) {
    families.push_back(std::move(family));
  }
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace vigil::service
