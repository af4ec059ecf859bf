#include "service/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "service/admin_service.h"
#include "service/analysis_service.h"
#include "service/auth.h"
#include "service/http/http_server.h"
#include "service/http/json_rpc.h"
#include "service/log.h"
#include "service/malloc_settings.h"
#include "service/review_service.h"
#include "service/rpc_support.h"
#include "service/stats_service.h"

namespace vigil::service {

Server::~Server() { Shutdown(std::chrono::milliseconds(0)); }

namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(path + ": cannot read");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Plaintext, TLS or mTLS credentials from the options.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const ServerOptions& options) {
  if (options.tls_cert_path.empty() && options.tls_key_path.empty()) {
    if (!options.tls_client_ca_path.empty()) {
      return absl::InvalidArgumentError(
          "a TLS client CA needs a server certificate and key too");
    }
    return grpc::InsecureServerCredentials();
  }
  if (options.tls_cert_path.empty() || options.tls_key_path.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both a certificate and a private key");
  }
  auto cert = ReadPem(options.tls_cert_path);
  if (!cert.ok()) return cert.status();
  auto key = ReadPem(options.tls_key_path);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  if (!options.tls_client_ca_path.empty()) {
    auto ca = ReadPem(options.tls_client_ca_path);
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
    ssl.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

// What changes when any file under `directory` changes: every file's path,
// size and modification time (following symlinks, as a Kubernetes
// ConfigMap volume's are), and where its "..data" link points.
std::string LexiconFingerprint(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code error;
  std::string fingerprint;
  if (fs::is_symlink(fs::path(directory) / "..data", error)) {
    fingerprint =
        fs::read_symlink(fs::path(directory) / "..data", error).string() + "\n";
  }
  for (fs::recursive_directory_iterator it(
           directory, fs::directory_options::follow_directory_symlink, error),
       end;
       !error && it != end; it.increment(error)) {
    if (it->path().filename().string().rfind("..", 0) == 0) {
      it.disable_recursion_pending();  // ConfigMap internals
      continue;
    }
    if (!it->is_regular_file(error)) continue;
    const auto size = fs::file_size(it->path(), error);
    const auto time = fs::last_write_time(it->path(), error);
    fingerprint += it->path().string() + " " + std::to_string(size) + " " +
                   std::to_string(time.time_since_epoch().count()) + "\n";
  }
  return fingerprint;
}

// The connection limits of ServerOptions (see server.h) on a gRPC port.
void LimitConnections(const ServerOptions& options, const char* name,
                      grpc::ServerBuilder& builder) {
  grpc::ResourceQuota quota(name);
  quota.Resize(options.grpc_memory_bytes);
  quota.SetMaxThreads(options.grpc_max_threads);
  builder.SetResourceQuota(quota);
  const auto ms = [](std::chrono::milliseconds d) {
    return static_cast<int>(std::min<int64_t>(d.count(), INT32_MAX));
  };
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             ms(options.grpc_handshake_timeout));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                             ms(options.grpc_max_connection_idle));
  if (options.grpc_max_connection_age.count() > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                               ms(options.grpc_max_connection_age));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               ms(options.grpc_max_connection_age_grace));
  }
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             ms(options.grpc_keepalive_time));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             ms(options.grpc_keepalive_timeout));
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      ms(options.grpc_min_client_ping_interval));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
}

// The HTTP settings of ServerOptions for the HTTP and metrics ports.
HttpServerOptions HttpLimits(const ServerOptions& options) {
  HttpServerOptions http;
  http.max_connections = options.http_max_connections;
  http.max_connections_per_client = options.http_max_connections_per_client;
  http.read_timeout = options.http_read_timeout;
  http.request_timeout = options.http_request_timeout;
  http.keep_alive_timeout = options.http_keep_alive_timeout;
  return http;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const ServerOptions& options) {
  std::optional<TokenStore> tokens;
  if (!options.tokens_path.empty()) {
    auto loaded = TokenStore::Load(options.tokens_path);
    if (!loaded.ok()) return loaded.status();
    tokens = *std::move(loaded);
  }
  if (!options.http_listen.empty()) {
    if (absl::StatusOr<HostPort> http = ParseHostPort(options.http_listen);
        !http.ok()) {
      return absl::InvalidArgumentError("HTTP listen address \"" +
                                        options.http_listen +
                                        "\" is not HOST:PORT");
    }
  }
  if (!options.http_listen.empty() && !IsLoopbackAddress(options.http_listen) &&
      (options.tokens_path.empty() || options.tls_cert_path.empty())) {
    return absl::FailedPreconditionError(
        "refusing to serve HTTP on " + options.http_listen +
        " without authentication and TLS: configure a tokens file and a TLS "
        "certificate, or listen on loopback");
  }
  if (!IsLoopbackAddress(options.listen) &&
      (options.tokens_path.empty() || options.tls_cert_path.empty())) {
    return absl::FailedPreconditionError(
        "refusing to listen on " + options.listen +
        " without authentication and TLS: configure a tokens file and a TLS "
        "certificate, or listen on loopback");
  }
  auto credentials = Credentials(options);
  if (!credentials.ok()) return credentials.status();
  const auto load_start = std::chrono::steady_clock::now();
  auto analyzer = Analyzer::Load(options.lexicon_dir);
  if (!analyzer.ok()) return analyzer.status();
  ReturnFreedMemory();
  const double load_seconds = std::chrono::duration<double>(
                                  std::chrono::steady_clock::now() - load_start)
                                  .count();
  std::unique_ptr<Server> server(new Server());
  server->metrics_ = std::make_unique<Metrics>();
  if (!options.metrics_listen.empty()) {
    if (absl::Status s = server->metrics_->Serve(options.metrics_listen,
                                                 HttpLimits(options));
        !s.ok()) {
      return s;
    }
  }
  server->authorizer_ = std::make_unique<Authorizer>(std::move(tokens));
  server->store_ = options.store;
  if (server->store_ == nullptr) {
    auto store = OpenFlagStore(options.store_url);
    if (!store.ok()) {
      return absl::Status(store.status().code(),
                          "store " + RedactStoreUrl(options.store_url) + ": " +
                              std::string(store.status().message()));
    }
    server->owned_store_ = *std::move(store);
    server->store_ = server->owned_store_.get();
  }
  server->snapshots_ = std::make_unique<SnapshotHolder>(
      SnapshotHolder::Snapshot{*std::move(analyzer), options.lexicon_dir,
                               std::chrono::system_clock::now()});
  server->stats_ = std::make_unique<StatsRecorder>();
  server->analysis_ = std::make_unique<AnalysisServiceImpl>(
      server->snapshots_.get(), server->authorizer_.get(), server->store_,
      server->metrics_.get(), server->stats_.get(), options);
  server->stats_service_ = std::make_unique<StatsServiceImpl>(
      server->authorizer_.get(), server->store_, server->metrics_.get(),
      server->stats_.get(), options);
  FlagStore* store = server->store_;
  server->metrics_->SetQueueDepthSource(
      [store] { return store->CountByStatus(); });
  server->metrics_->SetClusterCountsSource(
      [store] { return store->CountClusters(); });
  server->admin_ = std::make_unique<AdminServiceImpl>(
      server->snapshots_.get(), server->authorizer_.get(),
      server->metrics_.get(), server->store_);
  server->metrics_->SetLexicon(server->snapshots_->Get()->analyzer->version(),
                               load_seconds,
                               server->snapshots_->Get()->loaded_at);
  server->review_ = std::make_unique<ReviewServiceImpl>(
      server->snapshots_.get(), server->authorizer_.get(), server->store_,
      server->metrics_.get(), options);

  if (options.lexicon_watch_interval.count() > 0) {
    server->lexicon_fingerprint_ = LexiconFingerprint(options.lexicon_dir);
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, *credentials, &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  LimitConnections(options, "vigil", builder);
  builder.RegisterService(server->analysis_.get());
  builder.RegisterService(server->admin_.get());
  builder.RegisterService(server->review_.get());
  builder.RegisterService(server->stats_service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError("cannot listen on " + options.listen);
  }
  if (!options.health_listen.empty()) {
    grpc::ServerBuilder health;
    health.AddListeningPort(options.health_listen,
                            grpc::InsecureServerCredentials(),
                            &server->health_port_);
    LimitConnections(options, "vigil-health", health);
    server->health_server_ = health.BuildAndStart();
    if (server->health_server_ == nullptr || server->health_port_ == 0) {
      return absl::UnavailableError("cannot serve health checks on " +
                                    options.health_listen);
    }
  }
  if (!options.http_listen.empty()) {
    server->json_rpc_ = std::make_unique<JsonRpc>(
        server->server_->InProcessChannel(grpc::ChannelArguments()),
        std::set<std::string, std::less<>>{"vigil.v1.AdminService",
                                           "vigil.v1.ReviewService",
                                           "vigil.v1.StatsService"});
    HttpServerOptions http = HttpLimits(options);
    http.listen = options.http_listen;
    http.tls_cert_path = options.tls_cert_path;
    http.tls_key_path = options.tls_key_path;
    http.tls_client_ca_path = options.tls_client_ca_path;
    server->dropin_ = std::make_unique<DropInApi>(
        server->server_->InProcessChannel(grpc::ChannelArguments()));
    auto started =
        HttpServer::Start(http, server->json_rpc_.get(), server->dropin_.get());
    if (!started.ok()) return started.status();  // ~Server shuts down
    server->http_ = *std::move(started);
  }
  Server* raw = server.get();
  server->maintenance_thread_ =
      std::thread([raw, options] { raw->MaintenanceLoop(options); });
  return server;
}

int Server::metrics_port() const { return metrics_->port(); }

int Server::http_port() const { return http_ == nullptr ? 0 : http_->port(); }

absl::Status Server::ReloadLexicons(const std::string& directory) {
  return ReloadSnapshot(snapshots_.get(), metrics_.get(), directory);
}

absl::Status Server::FlushStats() {
  if (store_ == nullptr) {
    return absl::FailedPreconditionError("the server was shut down");
  }
  return stats_->Flush(*store_);
}

void Server::EraseOldText(std::chrono::seconds retention) {
  const auto cutoff = std::chrono::system_clock::now() - retention;
  auto erased = store_->EraseTextBefore(
      std::chrono::duration_cast<std::chrono::microseconds>(
          cutoff.time_since_epoch())
          .count());
  if (!erased.ok()) {
    Log(LogLevel::kWarning, "retention",
        "error=" + Quote(std::string(erased.status().message())));
  } else if (*erased > 0) {
    Log(LogLevel::kInfo, "retention",
        "erased_texts=" + std::to_string(*erased));
  }
}

void Server::ReloadIfLexiconsChanged() {
  const std::string directory = snapshots_->Get()->directory;
  std::string fingerprint = LexiconFingerprint(directory);
  if (fingerprint == lexicon_fingerprint_) return;
  lexicon_fingerprint_ = std::move(fingerprint);
  const absl::Status status = ReloadLexicons();
  if (status.ok()) {
    Log(LogLevel::kInfo, "reloaded",
        "cause=files_changed lexicon=" +
            snapshots_->Get()->analyzer->version());
  } else {
    // The old snapshot keeps serving; the next change is tried again.
    Log(LogLevel::kWarning, "reload_rejected",
        "cause=files_changed error=" + Quote(std::string(status.message())));
  }
}

void Server::MaintenanceLoop(const ServerOptions& options) {
  using Clock = std::chrono::steady_clock;
  auto next_retention = Clock::now();  // at start, then every interval
  auto next_watch = Clock::now() + options.lexicon_watch_interval;
  IdleTrimmer trimmer;
  for (;;) {
    {
      absl::MutexLock lock(&maintenance_mu_);
      if (stopping_) return;
    }
    if (absl::Status s = FlushStats(); !s.ok()) {
      Log(LogLevel::kWarning, "stats_flush",
          "error=" + Quote(std::string(s.message())));
    }
    if (options.retention.count() > 0 && Clock::now() >= next_retention) {
      EraseOldText(options.retention);
      next_retention = Clock::now() + options.retention_interval;
    }
    if (options.lexicon_watch_interval.count() > 0 &&
        Clock::now() >= next_watch) {
      ReloadIfLexiconsChanged();
      next_watch = Clock::now() + options.lexicon_watch_interval;
    }
    trimmer.Tick(InFlight::Finished());
    auto wait = options.stats_flush_interval;
    if (options.lexicon_watch_interval.count() > 0) {
      wait = std::min<std::chrono::milliseconds>(
          wait, options.lexicon_watch_interval);
    }
    absl::MutexLock lock(&maintenance_mu_);
    if (maintenance_mu_.AwaitWithTimeout(absl::Condition(&stopping_),
                                         absl::FromChrono(wait))) {
      return;
    }
  }
}

void Server::Shutdown(std::chrono::milliseconds grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  // HTTP requests in flight finish over the still-open gRPC server; then
  // the in-process channel goes, since the server's shutdown waits for
  // every channel to close.
  if (http_ != nullptr) http_->Stop();
  http_.reset();
  json_rpc_.reset();
  dropin_.reset();
  for (grpc::Server* s : {server_.get(), health_server_.get()}) {
    if (s == nullptr) continue;
    if (auto* health = s->GetHealthCheckService()) {
      health->SetServingStatus(false);
    }
  }
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  {
    absl::MutexLock lock(&maintenance_mu_);
    stopping_ = true;
  }
  if (maintenance_thread_.joinable()) maintenance_thread_.join();
  if (absl::Status s = FlushStats(); !s.ok()) {
    Log(LogLevel::kWarning, "stats_flush",
        "error=" + Quote(std::string(s.message())));
  }
  // Every call has finished: close the store.
  metrics_->SetQueueDepthSource(nullptr);
  metrics_->SetClusterCountsSource(nullptr);
  if (owned_store_ != nullptr) {
    owned_store_.reset();
    store_ = nullptr;
  }
  if (health_server_ != nullptr) health_server_->Shutdown();
}

void Server::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace vigil::service
