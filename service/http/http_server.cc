#include "service/http/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "analyzers/util/strings.h"
#include "service/host_port.h"
#include "service/http/connection_threads.h"
#include "service/http/console_assets.h"

namespace vigil::service {

namespace {

// Same-origin only: the console loads nothing from elsewhere and may not be
// framed.
const httplib::Headers& SecurityHeaders() {
  static const auto* headers = new httplib::Headers{
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src "
       "'self' data:; connect-src 'self'; base-uri 'none'; form-action "
       "'none'; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
  };
  return *headers;
}

constexpr char kJson[] = "application/json; charset=utf-8";
constexpr char kNdJson[] = "application/x-ndjson; charset=utf-8";

void SetJsonError(httplib::Response& response, int http_status,
                  grpc::StatusCode code, std::string_view message) {
  response.status = http_status;
  response.set_header("Cache-Control", "no-store");
  response.set_content(JsonError(code, message), kJson);
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Create(
    const HttpServerOptions& options) {
  const bool tls =
      !options.tls_cert_path.empty() || !options.tls_key_path.empty();
  if (tls && (options.tls_cert_path.empty() || options.tls_key_path.empty())) {
    return absl::InvalidArgumentError(
        "HTTPS needs both a certificate and a private key");
  }
  absl::StatusOr<HostPort> address = ParseHostPort(options.listen);
  if (!address.ok()) {
    return absl::InvalidArgumentError(StrCat(
        "HTTP listen address \"", options.listen, "\" is not HOST:PORT"));
  }
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->options_ = options;
  if (tls) {
    auto https = std::make_unique<httplib::SSLServer>(
        options.tls_cert_path.c_str(), options.tls_key_path.c_str(),
        options.tls_client_ca_path.empty()
            ? nullptr
            : options.tls_client_ca_path.c_str());
    if (!https->is_valid()) {
      return absl::InvalidArgumentError(
          StrCat("HTTPS: cannot use the certificate ", options.tls_cert_path,
                 " with the key ", options.tls_key_path));
    }
    server->http_ = std::move(https);
  } else {
    server->http_ = std::make_unique<httplib::Server>();
  }
  const int threads = std::max(1, options.threads);
  const int max_connections = std::max(threads, options.max_connections);
  server->http_->new_task_queue = [threads, max_connections] {
    return new ConnectionThreads(threads, max_connections);
  };
  server->http_->set_payload_max_length(options.max_body_bytes);
  server->http_->set_read_timeout(options.read_timeout);
  server->http_->set_write_timeout(options.write_timeout);
  server->http_->set_keep_alive_max_count(
      std::max(1, options.keep_alive_max_requests));
  server->http_->set_keep_alive_timeout(options.keep_alive_timeout.count());
  server->http_->set_default_headers(SecurityHeaders());
  // cpp-httplib writes a response's headers and body separately; with
  // Nagle's algorithm the body then waits for the client's delayed ACK
  // (40 ms a call on a kept-alive connection; see bench/api_bench.cc).
  server->http_->set_tcp_nodelay(true);
  return server;
}

absl::Status HttpServer::Listen() {
  absl::StatusOr<HostPort> address = ParseHostPort(options_.listen);
  if (!address.ok()) return address.status();  // checked in Create
  const std::string& host = address->host;
  const int port = address->port;
  // cpp-httplib listens with a backlog of 5: a burst of connections
  // overflows it and the kernel drops SYNs, which clients retry after 1 s
  // (measured: 200 connects in a row, 10% took 1.02 s). Listening again on
  // the bound socket raises the backlog (Linux takes the new value).
  int listen_fd = -1;
  http_->set_socket_options([&listen_fd](socket_t fd) {
    httplib::default_socket_options(fd);
    listen_fd = fd;
  });
  port_ = port == 0 ? http_->bind_to_any_port(host)
                    : (http_->bind_to_port(host, port) ? port : -1);
  if (port_ <= 0) {
    return absl::UnavailableError(
        StrCat("cannot serve HTTP on ", options_.listen));
  }
  http_->set_socket_options(httplib::default_socket_options);
  if (listen_fd >= 0 && ::listen(listen_fd, SOMAXCONN) != 0) {
    return absl::UnavailableError(
        StrCat("cannot listen on ", options_.listen, ": ", strerror(errno)));
  }
  httplib::Server* http = http_.get();
  thread_ = std::thread([http] { http->listen_after_bind(); });
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const HttpServerOptions& options, const JsonRpc* rpc,
    const DropInApi* dropin) {
  absl::StatusOr<std::unique_ptr<HttpServer>> server = Create(options);
  if (!server.ok()) return server.status();
  (*server)->rpc_ = rpc;
  (*server)->dropin_ = dropin;
  (*server)->Route();
  if (absl::Status s = (*server)->Listen(); !s.ok()) return s;
  return server;
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::StartPage(
    const HttpServerOptions& options, const std::string& path,
    const std::string& content_type, std::function<std::string()> body) {
  absl::StatusOr<std::unique_ptr<HttpServer>> server = Create(options);
  if (!server.ok()) return server.status();
  httplib::Server& http = *(*server)->http_;
  http.Get(path, [content_type, body = std::move(body)](
                     const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(body(), content_type.c_str());
  });
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      res.set_content(StrCat("HTTP ", res.status, "\n"),
                      "text/plain; charset=utf-8");
    }
  });
  if (absl::Status s = (*server)->Listen(); !s.ok()) return s;
  return server;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (http_ == nullptr) return;
  http_->stop();
  if (thread_.joinable()) thread_.join();
  http_.reset();
}

void HttpServer::ServeStream(const httplib::Request& req,
                             httplib::Response& res) const {
  res.set_header("Cache-Control", "no-store");
  JsonRpc::Reply error;
  std::shared_ptr<JsonRpc::Stream> stream =
      rpc_->OpenStream(req.matches[1].str(), req.matches[2].str(), req.body,
                       req.get_header_value("Authorization"), &error);
  std::string first;
  if (stream != nullptr && !stream->Next(&first)) error = stream->Finish();
  if (first.empty()) {  // refused, failed or empty: a plain reply
    res.status = error.http_status;
    res.set_content(error.body, error.body.empty() ? kNdJson : kJson);
    return;
  }
  // Started: one JSON message per line as they come; a failure after the
  // start ends the stream with an error line ({"code": ..., "message": ...}).
  res.set_chunked_content_provider(
      kNdJson, [stream, first](size_t, httplib::DataSink& sink) {
        std::string line = first + "\n";
        bool open = sink.write(line.data(), line.size());
        while (open && stream->Next(&line)) {
          line += "\n";
          open = sink.write(line.data(), line.size());
        }
        if (!open) {  // the client went away
          stream->Cancel();
          stream->Finish();
          return false;
        }
        const JsonRpc::Reply reply = stream->Finish();
        if (!reply.body.empty()) {
          line = reply.body + "\n";
          sink.write(line.data(), line.size());
        }
        sink.done();
        return true;
      });
}

void HttpServer::Route() {
  // POST /api/<service>/<method>: the gRPC method path under /api.
  http_->Post(R"(/api/([^/]+)/([^/]+))",
              [this](const httplib::Request& req, httplib::Response& res) {
                if (rpc_->Streams(req.matches[1].str(), req.matches[2].str())) {
                  ServeStream(req, res);
                  return;
                }
                const JsonRpc::Reply reply =
                    rpc_->Call(req.matches[1].str(), req.matches[2].str(),
                               req.body, req.get_header_value("Authorization"));
                res.status = reply.http_status;
                res.set_header("Cache-Control", "no-store");
                res.set_content(reply.body, kJson);
              });
  // The drop-in APIs (dropin_api.h), answering in the originals' shapes.
  if (dropin_ != nullptr) {
    http_->Post("/v1/moderations",
                [this](const httplib::Request& req, httplib::Response& res) {
                  const DropInApi::Reply reply = dropin_->Moderations(
                      req.body, req.get_header_value("Authorization"));
                  res.status = reply.http_status;
                  res.set_header("Cache-Control", "no-store");
                  res.set_content(reply.body, kJson);
                });
    http_->Post("/v1alpha1/comments:analyze",
                [this](const httplib::Request& req, httplib::Response& res) {
                  // The key as Google reads it: ?key=, or the header.
                  const std::string key =
                      req.has_param("key")
                          ? req.get_param_value("key")
                          : req.get_header_value("X-Goog-Api-Key");
                  const DropInApi::Reply reply =
                      dropin_->PerspectiveAnalyze(req.body, key);
                  res.status = reply.http_status;
                  res.set_header("Cache-Control", "no-store");
                  res.set_content(reply.body, kJson);
                });
  }
  if (dropin_ != nullptr) {
    // Perspective's other methods (comments:suggestscore) are not served.
    http_->Post(R"(/v1alpha1/.*)", [](const httplib::Request& req,
                                      httplib::Response& res) {
      const auto reply = DropInApi::Refusal(
          req.path, 404,
          StrCat("vigil serves comments:analyze only, not ", req.path));
      res.status = 404;
      res.set_header("Cache-Control", "no-store");
      res.set_content(reply->body, kJson);
    });
  }
  http_->Post(R"(/api/.*)",
              [](const httplib::Request&, httplib::Response& res) {
                SetJsonError(res, 404, grpc::StatusCode::NOT_FOUND,
                             "API paths are /api/<service>/<method>");
              });
  // GET (and HEAD, which httplib answers from the GET handlers).
  http_->Get(".*", [](const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind("/api/", 0) == 0) {
      res.set_header("Allow", "POST");
      SetJsonError(res, 405, grpc::StatusCode::UNIMPLEMENTED,
                   "the API takes POST with a JSON body");
      return;
    }
    const ConsoleAsset* asset = FindConsoleAsset(req.path);
    if (asset == nullptr) {
      res.status = 404;
      res.set_content("not found\n", "text/plain; charset=utf-8");
      return;
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_content(asset->body.data(), asset->body.size(),
                    std::string(asset->content_type).c_str());
  });
  const auto not_allowed = [](const httplib::Request& req,
                              httplib::Response& res) {
    res.status = 405;
    res.set_header("Allow",
                   req.path.rfind("/api/", 0) == 0 ? "POST" : "GET, HEAD");
    res.set_content("method not allowed\n", "text/plain; charset=utf-8");
  };
  http_->Put(".*", not_allowed);
  http_->Patch(".*", not_allowed);
  http_->Delete(".*", not_allowed);
  http_->Options(".*", not_allowed);
  http_->Post(".*", not_allowed);
  // httplib's own refusals (413 for a body over the limit, 400 for a
  // request it cannot parse) get a body that says why.
  http_->set_error_handler(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;
        if (res.status == 413) {
          const std::string message =
              StrCat("request body over ", options_.max_body_bytes, " bytes");
          if (auto reply = DropInApi::Refusal(req.path, 413, message)) {
            res.set_content(reply->body, kJson);
            return;
          }
          SetJsonError(res, 413, grpc::StatusCode::INVALID_ARGUMENT, message);
        } else {
          res.set_content(StrCat("HTTP ", res.status, "\n"),
                          "text/plain; charset=utf-8");
        }
      });
}

}  // namespace vigil::service
