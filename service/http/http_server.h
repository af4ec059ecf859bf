// HttpServer: vigil's HTTP side — the JSON API over the ReviewService and
// StatsService (see json_rpc.h) and the analyst console's static files,
// served with GNU libmicrohttpd (HTTPS through GnuTLS).
//
//   POST /api/vigil.v1.ReviewService/ListQueue     {"page_size": 20}
//   Authorization: Bearer <token>
//   -> 200 {"items": [...], "next_page_token": "..."}
//
//   POST /api/vigil.v1.AdminService/Backtest     {"directory": "/srv/cand"}
//   -> 200, application/x-ndjson: one response message per line as the
//      server streams them ({"progress": ...} ..., {"report": ...}); a
//      failure after the first line ends the stream with an error line
//
//   GET /            the console (index.html; app.js and the ES modules it
//                    imports, as text/javascript; style.css)
//
// The API path is the gRPC method path under /api. Errors answer
// {"code": "...", "message": "..."} with the matching HTTP status. The
// console files hold no data; every datum comes through the API and its
// token checks. With TLS files the server speaks HTTPS only.
//
// Hostile clients (HttpServerOptions): each open connection is served on a
// thread of its own, so a slow client holds only its own; connections are
// bounded in total and per client address (libmicrohttpd closes one over
// either bound as soon as it is accepted); a connection that sends or takes
// nothing for the read timeout is closed, as is one whose request takes longer
// than the request timeout to arrive.
//
// Thread safety: Start() and Stop() from one thread; handlers run on the
// connections' threads.
#ifndef VIGIL_SERVICE_HTTP_HTTP_SERVER_H_
#define VIGIL_SERVICE_HTTP_HTTP_SERVER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "service/http/dropin_api.h"
#include "service/http/json_rpc.h"

struct MHD_Connection;
struct MHD_Daemon;

namespace vigil::service {

struct HttpServerOptions {
  std::string listen;  // HOST:PORT; port 0 picks a free one
  // PEM files: both set serves HTTPS only; with a client CA too, clients
  // must present a certificate it signed (as on the gRPC port).
  std::string tls_cert_path;
  std::string tls_key_path;
  std::string tls_client_ca_path;
  // Largest request body accepted (413 beyond).
  size_t max_body_bytes = 1 << 20;
  // Connections served at once (a thread each), and of those from one
  // client address. A new connection past either bound is closed at once.
  int max_connections = 2048;
  int max_connections_per_client = 256;
  // A connection on which a request (line, headers or body) sends nothing
  // for `read_timeout`, or whose reader takes nothing of the response for
  // that long, is closed (whole seconds, rounded up); so is one whose
  // request has not all arrived `request_timeout` after the connection
  // opened, or after the keep-alive timeout that followed the previous
  // reply (a client that sends a byte every few seconds).
  std::chrono::milliseconds read_timeout = std::chrono::seconds(10);
  std::chrono::milliseconds request_timeout = std::chrono::seconds(60);
  // Requests on one kept-alive connection, and how long it may idle
  // between them.
  int keep_alive_max_requests = 100;
  std::chrono::seconds keep_alive_timeout{5};
};

class HttpServer {
 public:
  // Starts serving; UNAVAILABLE when `options.listen` cannot be bound,
  // INVALID_ARGUMENT for a bad address or unusable TLS files. `rpc` and
  // `dropin` (OpenAI's and Perspective's shapes; null: not served) must
  // outlive the server.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const HttpServerOptions& options, const JsonRpc* rpc,
      const DropInApi* dropin = nullptr);
  // Serves only GET (and HEAD) `path`, answering `body()` as
  // `content_type`, with the same connection limits: the metrics port.
  // `body` is called on the connections' threads.
  static absl::StatusOr<std::unique_ptr<HttpServer>> StartPage(
      const HttpServerOptions& options, const std::string& path,
      const std::string& content_type, std::function<std::string()> body);
  ~HttpServer();  // Stops.

  // The bound port.
  int port() const { return port_; }
  // Stops accepting and waits for requests in flight. Idempotent.
  void Stop();

 private:
  HttpServer() = default;
  // A server with the options' settings, not yet bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Create(
      const HttpServerOptions& options);
  // Binds options_.listen and starts the daemon.
  absl::Status Listen();

  struct Request;
  struct Reply;
  // The reply to a whole request (the API, the drop-in APIs, the console,
  // or the one page of StartPage).
  Reply Handle(const Request& request) const;
  // POST /api/<service>/<method> of a server-streaming method: the
  // responses as JSON lines (application/x-ndjson).
  Reply ServeStream(const Request& request, const std::string& service,
                    const std::string& method) const;
  // libmicrohttpd's callbacks (http_server.cc).
  friend struct HttpCallbacks;
  // False when client certificates are required and this connection's is
  // missing or not signed by the client CA.
  bool ClientCertificateOk(MHD_Connection* connection) const;
  // 413, in the drop-in API's shape when `path` is one of theirs.
  Reply TooLarge(const std::string& path) const;
  // Queues `reply` on `connection`; false when libmicrohttpd refuses it.
  bool Send(MHD_Connection* connection, Reply reply) const;

  HttpServerOptions options_;
  const JsonRpc* rpc_ = nullptr;
  const DropInApi* dropin_ = nullptr;
  // StartPage: the one page served.
  std::string page_path_;
  std::string page_content_type_;
  std::function<std::string()> page_body_;
  // PEM texts, kept while the daemon runs.
  std::string tls_cert_;
  std::string tls_key_;
  std::string tls_client_ca_;
  // Enforces request_timeout (http_server.cc).
  struct Watchdog;
  std::unique_ptr<Watchdog> watchdog_;
  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_HTTP_HTTP_SERVER_H_
