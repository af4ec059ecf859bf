// `vigil serve`: runs the gRPC server until SIGTERM/SIGINT; SIGHUP reloads
// the lexicons (a broken lexicon is rejected and the old one keeps serving).
#include <signal.h>

#include <chrono>
#include <ostream>

#include "absl/strings/numbers.h"
#include "service/config.h"
#include "service/log.h"
#include "service/malloc_settings.h"
#include "service/server.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "tools/cli/paths.h"

namespace vigil::cli {
namespace {

constexpr char kUsage[] =
    "usage: vigil serve [--config FILE] [--listen HOST:PORT] [--lexicons DIR]\n"
    "                   [--tokens FILE] [--max-in-flight N] [--max-streams N]\n"
    "                   [--log-level debug|info|warning|error]\n"
    "                   [--tls-cert PEM --tls-key PEM [--tls-client-ca PEM]]\n"
    "                   [--max-post-bytes N] [--max-batch N]\n"
    "                   [--store URL] [--retention-hours N]\n"
    "                   [--sample-rate R] [--sample-key KEY] "
    "[--no-campaigns]\n"
    "                   [--metrics-listen HOST:PORT] [--http-listen "
    "HOST:PORT]\n"
    "Serves vigil.v1.AnalysisService, ReviewService and AdminService over\n"
    "gRPC (plus health and reflection) on --listen (default\n"
    "127.0.0.1:50051). SIGHUP reloads the lexicons; SIGTERM or SIGINT drains\n"
    "calls in flight, closes the store and exits.\n"
    "--store is sqlite:PATH (default sqlite:data/vigil.db) or\n"
    "postgresql://user:password@host:port/db (several instances may share\n"
    "one); --retention-hours erases stored post text that old.\n"
    "--sample-rate R (0 to 1, default 0) stores that share of the posts\n"
    "that are not flagged in the sample queue, for analysts to label\n"
    "(prevalence and recall: StatsService.GetSampleEstimates); a keyed\n"
    "hash of (source, id) picks them, so instances with the same\n"
    "--sample-key pick the same posts.\n"
    "--no-campaigns: flagged posts join no cluster of near-duplicates\n"
    "(ReviewService.ListClusters), which saves the store that work.\n"
    "Prometheus metrics: http://--metrics-listen/metrics (default\n"
    "127.0.0.1:9464; an empty value turns them off).\n"
    "The analyst console and the HTTP JSON API (ReviewService and\n"
    "StatsService at POST /api/vigil.v1.<Service>/<Method>):\n"
    "http://--http-listen/ (default 127.0.0.1:8080; empty turns them off).\n"
    "--health-listen serves only gRPC health checks, in plaintext, for\n"
    "probes that cannot speak TLS. --watch-lexicons N reloads the lexicons\n"
    "when their files change, looking every N seconds.\n"
    "--check-config parses the config file and flags, prints the settings\n"
    "and exits (0 when valid, 2 otherwise) without opening any file they\n"
    "name.\n"
    "Logs go to stderr, one line per event (calls at debug, failed calls\n"
    "at warning); post text is never logged.\n"
    "--tokens names the bearer tokens file (vigil token makes entries);\n"
    "beyond loopback both tokens and TLS are required.\n";

}  // namespace

int RunServe(const std::vector<std::string>& args, const char* argv0,
             std::ostream& out, std::ostream& err) {
  ParsedFlags flags = ParseFlags(
      args, {"--config",        "--listen",          "--lexicons",
             "--tokens",        "--tls-cert",        "--tls-key",
             "--tls-client-ca", "--max-post-bytes",  "--max-batch",
             "--max-in-flight", "--max-streams",     "--log-level",
             "--store",         "--retention-hours", "--metrics-listen",
             "--http-listen",   "--health-listen",   "--watch-lexicons",
             "--sample-rate",   "--sample-key"},
      {"-h", "--help", "--check-config", "--no-campaigns"});
  if (flags.Has("-h") || flags.Has("--help")) {
    out << kUsage;
    return 0;
  }
  service::ServerOptions options;
  options.lexicon_dir = LexiconDir("", argv0);
  options.metrics_listen = "127.0.0.1:9464";
  options.http_listen = "127.0.0.1:8080";
  if (!flags.Get("--config").empty()) {
    const absl::Status status =
        service::ApplyConfigFile(flags.Get("--config"), &options);
    if (!status.ok()) {
      err << "vigil serve: " << status.message() << "\n";
      return 2;
    }
  }
  // Flags override the config file.
  options.listen = flags.Get("--listen", options.listen);
  options.lexicon_dir = flags.Get("--lexicons", options.lexicon_dir);
  options.tokens_path = flags.Get("--tokens", options.tokens_path);
  options.tls_cert_path = flags.Get("--tls-cert", options.tls_cert_path);
  options.tls_key_path = flags.Get("--tls-key", options.tls_key_path);
  options.tls_client_ca_path =
      flags.Get("--tls-client-ca", options.tls_client_ca_path);
  options.store_url = flags.Get("--store", options.store_url);
  options.metrics_listen =
      flags.Get("--metrics-listen", options.metrics_listen);
  options.http_listen = flags.Get("--http-listen", options.http_listen);
  options.health_listen = flags.Get("--health-listen", options.health_listen);
  // Whole positive numbers within the config file's ranges.
  flags.GetWholeNumber("--max-post-bytes", 1, int64_t{1} << 30,
                       &options.max_post_bytes);
  flags.GetWholeNumber("--max-batch", 1, 1000000, &options.max_batch_posts);
  flags.GetWholeNumber("--max-in-flight", 1, 1000000, &options.max_in_flight);
  flags.GetWholeNumber("--max-streams", 1, 1000000, &options.max_streams);
  uint32_t retention_hours = 0;
  flags.GetWholeNumber("--retention-hours", 1, 1000000, &retention_hours);
  if (retention_hours > 0)
    options.retention = std::chrono::hours(retention_hours);
  if (!flags.Get("--sample-rate").empty()) {
    double rate = 0;
    if (!absl::SimpleAtod(flags.Get("--sample-rate"), &rate) || !(rate >= 0) ||
        rate > 1) {
      flags.Fail("--sample-rate takes a number from 0 to 1");
    } else {
      options.sample_rate = rate;
    }
  }
  options.sample_key = flags.Get("--sample-key", options.sample_key);
  if (flags.Has("--no-campaigns")) options.campaigns = false;
  uint32_t watch_seconds = 0;
  flags.GetWholeNumber("--watch-lexicons", 1, 86400, &watch_seconds);
  if (watch_seconds > 0)
    options.lexicon_watch_interval = std::chrono::seconds(watch_seconds);
  if (!flags.Get("--log-level").empty()) {
    service::LogLevel level;
    if (!service::ParseLogLevel(flags.Get("--log-level"), &level)) {
      flags.Fail("--log-level takes debug, info, warning or error");
    } else {
      service::SetLogLevel(level);
    }
  }
  if (flags.ReportUsageError("serve", kUsage, err)) return 2;

  if (flags.Has("--check-config")) {
    out << "listen " << options.listen << "\n"
        << "http_listen " << options.http_listen << "\n"
        << "metrics_listen " << options.metrics_listen << "\n"
        << "health_listen " << options.health_listen << "\n"
        << "lexicons " << options.lexicon_dir << "\n"
        << "tokens " << options.tokens_path << "\n"
        << "tls_cert " << options.tls_cert_path << "\n"
        << "tls_key " << options.tls_key_path << "\n"
        << "tls_client_ca " << options.tls_client_ca_path << "\n"
        << "store " << service::RedactStoreUrl(options.store_url) << "\n"
        << "retention_hours "
        << std::chrono::duration_cast<std::chrono::hours>(options.retention)
               .count()
        << "\n"
        << "lexicon_watch_seconds " << options.lexicon_watch_interval.count()
        << "\n"
        << "sample_rate " << options.sample_rate << "\n"
        << "sample_key " << (options.sample_key.empty() ? "(built-in)" : "***")
        << "\n"
        << "campaigns " << (options.campaigns ? "on" : "off") << "\n"
        << "max_post_bytes " << options.max_post_bytes << "\n"
        << "max_batch_posts " << options.max_batch_posts << "\n"
        << "max_in_flight " << options.max_in_flight << "\n"
        << "max_streams " << options.max_streams << "\n"
        << "max_message_bytes " << options.max_message_bytes << "\n"
        << "http_max_connections " << options.http_max_connections << "\n"
        << "http_max_connections_per_client "
        << options.http_max_connections_per_client << "\n"
        << "http_read_timeout_ms " << options.http_read_timeout.count() << "\n"
        << "http_request_timeout_ms " << options.http_request_timeout.count()
        << "\n"
        << "http_keep_alive_seconds " << options.http_keep_alive_timeout.count()
        << "\n"
        << "grpc_memory_bytes " << options.grpc_memory_bytes << "\n"
        << "grpc_handshake_timeout_ms "
        << options.grpc_handshake_timeout.count() << "\n"
        << "grpc_max_connection_idle_ms "
        << options.grpc_max_connection_idle.count() << "\n"
        << "grpc_max_connection_age_ms "
        << options.grpc_max_connection_age.count() << "\n";
    return 0;
  }

  // Before the first snapshot is loaded and any thread starts.
  service::ConfigureMalloc();

  // Signals are handled by this thread with sigwait; block them first so
  // that gRPC's threads inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = service::Server::Start(options);
  if (!server.ok()) {
    service::Log(
        service::LogLevel::kError, "start_failed",
        "error=" + service::Quote(std::string(server.status().message())));
    return 1;
  }
  service::Log(
      service::LogLevel::kInfo, "serving",
      "listen=" + options.listen +
          " port=" + std::to_string((*server)->port()) + " lexicon=" +
          (*server)->snapshots().Get()->analyzer->version() + " store=" +
          service::Quote(service::RedactStoreUrl(options.store_url)) +
          " metrics_port=" + std::to_string((*server)->metrics_port()) +
          " http_port=" + std::to_string((*server)->http_port()) +
          " health_port=" + std::to_string((*server)->health_port()));
  while (true) {
    int signal = 0;
    sigwait(&signals, &signal);
    if (signal == SIGHUP) {
      const absl::Status status = (*server)->ReloadLexicons();
      if (status.ok()) {
        service::Log(
            service::LogLevel::kInfo, "reloaded",
            "lexicon=" + (*server)->snapshots().Get()->analyzer->version());
      } else {
        service::Log(service::LogLevel::kWarning, "reload_rejected",
                     "error=" + service::Quote(std::string(status.message())));
      }
      continue;
    }
    service::Log(service::LogLevel::kInfo, "shutting_down",
                 std::string("signal=") + strsignal(signal));
    (*server)->Shutdown(std::chrono::seconds(10));
    // What this process analyzed, for operators adding up instances.
    service::Log(service::LogLevel::kInfo, "stopped",
                 "posts_analyzed=" +
                     std::to_string((*server)->metrics().posts_analyzed()) +
                     " posts_flagged=" +
                     std::to_string((*server)->metrics().posts_flagged()));
    return 0;
  }
}

}  // namespace vigil::cli
