// Server: vigil's gRPC server (callback API) with the AnalysisService, the
// AdminService, grpc.health.v1 and server reflection.
//
//   vigil::service::ServerOptions options;
//   options.listen = "127.0.0.1:0";           // port 0: pick a free one
//   options.lexicon_dir = "lexicons";
//   auto server = vigil::service::Server::Start(options);
//   if (!server.ok()) ...;                    // status says why
//   int port = (*server)->port();
//   (*server)->Shutdown();                    // drains calls in flight
//
// Thread safety: Start() and Shutdown() from one thread; the services run on
// gRPC's threads and share the snapshot through SnapshotHolder.
#ifndef VIGIL_SERVICE_SERVER_H_
#define VIGIL_SERVICE_SERVER_H_

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "service/host_port.h"
#include "service/metrics.h"
#include "service/snapshot.h"
#include "service/stats_recorder.h"
#include "service/store/flag_store.h"

namespace grpc {
class Server;
}  // namespace grpc

namespace vigil::service {

struct ServerOptions {
  std::string listen = "127.0.0.1:50051";
  std::string lexicon_dir = "lexicons";
  // Tokens file (see auth.h). Empty: no authentication, which is allowed
  // only on loopback addresses.
  std::string tokens_path;
  // TLS: PEM files of the server's certificate chain and private key. With
  // tls_client_ca_path too, clients must present a certificate signed by
  // that CA (mTLS). All empty: plaintext.
  std::string tls_cert_path;
  std::string tls_key_path;
  std::string tls_client_ca_path;
  // Requests beyond these limits get INVALID_ARGUMENT.
  size_t max_post_bytes = 1 << 20;
  size_t max_batch_posts = 1000;
  // Largest request message accepted (RESOURCE_EXHAUSTED beyond).
  int max_message_bytes = 64 << 20;
  // Calls (unary calls and open streams) served at once; more are answered
  // RESOURCE_EXHAUSTED at once rather than queued without bound.
  int max_in_flight = 256;
  // AnalyzeStream calls open at once, counted apart from the calls above
  // (an idle stream must not starve unary calls); more get
  // RESOURCE_EXHAUSTED.
  int max_streams = 64;
  // Hostile clients on the HTTP and metrics ports (HttpServerOptions): a
  // thread per open connection up to http_max_connections, of which
  // http_max_connections_per_client from one address (a connection past
  // either is closed at once). A connection that sends or
  // takes nothing for http_read_timeout during a request, or idles
  // http_keep_alive_timeout between requests, is closed, as is one whose
  // request has not all arrived http_request_timeout after it could start.
  int http_max_connections = 2048;
  int http_max_connections_per_client = 256;
  std::chrono::milliseconds http_read_timeout{10000};
  std::chrono::milliseconds http_request_timeout{60000};
  std::chrono::seconds http_keep_alive_timeout{5};
  // Hostile clients on the gRPC ports. Memory for connections and calls is
  // bounded by a resource quota of grpc_memory_bytes (past it gRPC shrinks
  // buffers and refuses new calls); gRPC's threads by grpc_max_threads. A
  // connection that has not finished its HTTP/2 (and TLS) handshake within
  // grpc_handshake_timeout is closed, as is one with no call for
  // grpc_max_connection_idle; with grpc_max_connection_age (0: none) every
  // connection is told to go away after that long and its calls get
  // grpc_max_connection_age_grace to finish. The server pings an idle
  // client every grpc_keepalive_time and drops it when no answer comes
  // within grpc_keepalive_timeout; a client pinging more often than
  // grpc_min_client_ping_interval is sent GOAWAY (after two such pings).
  size_t grpc_memory_bytes = size_t{1} << 30;
  int grpc_max_threads = 64;
  std::chrono::milliseconds grpc_handshake_timeout{10000};
  std::chrono::milliseconds grpc_max_connection_idle{300000};
  std::chrono::milliseconds grpc_max_connection_age{0};
  std::chrono::milliseconds grpc_max_connection_age_grace{300000};
  std::chrono::milliseconds grpc_keepalive_time{120000};
  std::chrono::milliseconds grpc_keepalive_timeout{20000};
  std::chrono::milliseconds grpc_min_client_ping_interval{30000};
  // Prometheus metrics over HTTP (HOST:PORT, port 0 picks one); empty: none.
  std::string metrics_listen;
  // The HTTP JSON API and the analyst console (HOST:PORT, port 0 picks
  // one); empty: none. Beyond loopback it needs tokens and TLS, like the
  // gRPC port; with TLS it serves HTTPS only, with the same certificate
  // (and client CA, when set).
  std::string http_listen;
  // A plaintext port serving only grpc.health.v1 (and reflection of it),
  // for probes that cannot speak TLS (Kubernetes gRPC probes, Docker
  // HEALTHCHECK); allowed beyond loopback since it carries no data. Empty:
  // none (the main port answers health checks too).
  std::string health_listen;
  // Every this often, reload the lexicons when any file under lexicon_dir
  // changed (size, time or a Kubernetes ConfigMap update). Zero: only on
  // SIGHUP or AdminService.ReloadLexicons.
  std::chrono::seconds lexicon_watch_interval{0};
  // Where flagged posts go and analysts review them (see
  // store/flag_store.h for the URLs): by default a SQLite file under
  // ./data.
  std::string store_url = "sqlite:data/vigil.db";
  // A store to use instead of opening store_url (not owned; must outlive
  // the server). For tests.
  FlagStore* store = nullptr;
  // Retention: post text older than this is erased (verdicts and events
  // stay), checked at start and every retention_interval. Zero keeps text
  // forever.
  std::chrono::seconds retention{0};
  std::chrono::seconds retention_interval{3600};
  // The quality sample (ServerConfig.sample_rate, sample_key).
  double sample_rate = 0;
  std::string sample_key;
  // Flagged posts are fingerprinted and grouped into campaigns
  // (ServerConfig.no_campaigns turns it off).
  bool campaigns = true;
  // How often counts of analyzed posts go to the store (and at shutdown).
  std::chrono::milliseconds stats_flush_interval{5000};
};

class AnalysisServiceImpl;
class AdminServiceImpl;
class ReviewServiceImpl;
class StatsServiceImpl;
class JsonRpc;
class DropInApi;
class HttpServer;

class Server {
 public:
  // Loads the lexicons (and tokens) and starts serving. Fails with the
  // lexicon or tokens problem (file:line), when the address cannot be bound,
  // or when asked to listen beyond loopback without both tokens and TLS
  // (bearer tokens must not cross a network in clear).
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const ServerOptions& options);

  ~Server();

  // The bound port (useful with port 0).
  int port() const { return port_; }

  SnapshotHolder& snapshots() { return *snapshots_; }
  Metrics& metrics() { return *metrics_; }
  // The bound metrics port; 0 without metrics_listen.
  int metrics_port() const;
  // The bound HTTP (API and console) port; 0 without http_listen.
  int http_port() const;
  // The bound health port; 0 without health_listen.
  int health_port() const { return health_port_; }

  // Adds the counts of analyzed posts so far to the store (the server also
  // does so every stats_flush_interval and at shutdown).
  absl::Status FlushStats();

  // Reloads the lexicons (as SIGHUP does): on success the new snapshot
  // serves the next calls; on failure the old one keeps serving and the
  // status names file:line.
  absl::Status ReloadLexicons(const std::string& directory = "");
  FlagStore& store() { return *store_; }

  // Marks the server NOT_SERVING, stops accepting calls and waits up to
  // `grace` for calls in flight to finish, then cancels the rest, and
  // closes the store it opened.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::seconds(10));

  // Blocks until Shutdown() is called from another thread.
  void Wait();

 private:
  Server() = default;
  // Periodic work until shutdown: statistics flushes and retention.
  void MaintenanceLoop(const ServerOptions& options);
  void EraseOldText(std::chrono::seconds retention);
  // Reloads the lexicons when their files changed since the last look.
  void ReloadIfLexiconsChanged();

  std::unique_ptr<SnapshotHolder> snapshots_;
  std::unique_ptr<class Authorizer> authorizer_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<FlagStore> owned_store_;
  FlagStore* store_ = nullptr;
  std::unique_ptr<AnalysisServiceImpl> analysis_;
  std::unique_ptr<AdminServiceImpl> admin_;
  std::unique_ptr<ReviewServiceImpl> review_;
  std::unique_ptr<StatsRecorder> stats_;
  std::unique_ptr<StatsServiceImpl> stats_service_;
  std::thread maintenance_thread_;
  absl::Mutex maintenance_mu_;
  bool stopping_ ABSL_GUARDED_BY(maintenance_mu_) = false;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> health_server_;
  int health_port_ = 0;
  std::string lexicon_fingerprint_;  // maintenance thread only
  std::unique_ptr<JsonRpc> json_rpc_;
  std::unique_ptr<DropInApi> dropin_;  // OpenAI and Perspective shapes
  std::unique_ptr<HttpServer> http_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_SERVER_H_
