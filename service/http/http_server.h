// HttpServer: vigil's HTTP side — the JSON API over the ReviewService and
// StatsService (see json_rpc.h) and the analyst console's static files,
// served with cpp-httplib (HTTPS through OpenSSL).
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
// Thread safety: Start() and Stop() from one thread; each connection is
// served on a thread of its own (up to max_connections).
#ifndef VIGIL_SERVICE_HTTP_HTTP_SERVER_H_
#define VIGIL_SERVICE_HTTP_HTTP_SERVER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "service/http/dropin_api.h"
#include "service/http/json_rpc.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

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
  // Hostile clients (see connection_threads.h). Each open connection is
  // served by a thread of its own, so a slow client holds only that one:
  // `threads` are kept, more start on demand up to `max_connections`; at
  // the bound the server stops accepting and further clients wait in the
  // kernel's listen queue.
  int threads = 8;
  int max_connections = 2048;
  // A connection whose request (line, headers or body) stalls this long in
  // one read, or whose reader does not take the response for this long, is
  // closed. cpp-httplib times each read, not the whole request: a client
  // that sends a byte every few seconds is not cut off.
  std::chrono::milliseconds read_timeout = std::chrono::seconds(10);
  std::chrono::milliseconds write_timeout = std::chrono::seconds(10);
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
  // Binds options_.listen and starts the accept loop.
  absl::Status Listen();
  void Route();
  // POST /api/<service>/<method> of a server-streaming method: the
  // responses as JSON lines (application/x-ndjson).
  void ServeStream(const httplib::Request& req, httplib::Response& res) const;

  HttpServerOptions options_;
  const JsonRpc* rpc_ = nullptr;
  const DropInApi* dropin_ = nullptr;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;  // runs the accept loop
  int port_ = 0;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_HTTP_HTTP_SERVER_H_
