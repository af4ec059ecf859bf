#include "service/http/http_server.h"

#include <civetweb.h>
#include <openssl/ssl.h>

#include <vector>

#include "analyzers/util/strings.h"
#include "service/http/console_assets.h"
#include "service/log.h"

namespace vigil::service {

namespace {

constexpr char kApiPrefix[] = "/api/";

// Same-origin only: the console loads nothing from elsewhere and may not be
// framed.
constexpr char kSecurityHeaders[] =
    "Content-Security-Policy: default-src 'none'; script-src 'self'; "
    "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n";

int Send(mg_connection* connection, int status, std::string_view content_type,
         std::string_view body, std::string_view extra_headers = "",
         bool head_only = false) {
  mg_printf(connection,
            "HTTP/1.1 %d %s\r\nContent-Type: %.*s\r\nContent-Length: "
            "%zu\r\n%s%.*s\r\n",
            status, mg_get_response_code_text(connection, status),
            static_cast<int>(content_type.size()), content_type.data(),
            body.size(), kSecurityHeaders,
            static_cast<int>(extra_headers.size()), extra_headers.data());
  if (!head_only) mg_write(connection, body.data(), body.size());
  return status;
}

int SendJson(mg_connection* connection, int status, std::string_view body,
             std::string_view extra_headers = "") {
  return Send(connection, status, "application/json; charset=utf-8", body,
              StrCat("Cache-Control: no-store\r\n", extra_headers));
}

int SendJsonError(mg_connection* connection, grpc::StatusCode code,
                  std::string_view message,
                  std::string_view extra_headers = "") {
  return SendJson(connection, HttpStatusFor(code), JsonError(code, message),
                  extra_headers);
}

// civetweb's log lines go to vigil's log.
int LogMessage(const mg_connection*, const char* message) {
  Log(LogLevel::kWarning, "http", "error=" + Quote(message));
  return 1;
}

// Loads the certificate chain and key into civetweb's SSL_CTX (civetweb
// alone wants both in one file).
int InitTls(void* ssl_context, void* user_data) {
  auto* files = static_cast<const HttpServer::TlsFiles*>(user_data);
  auto* ctx = static_cast<SSL_CTX*>(ssl_context);
  if (SSL_CTX_use_certificate_chain_file(ctx, files->cert.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, files->key.c_str(), SSL_FILETYPE_PEM) !=
          1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return -1;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  return 1;
}

// civetweb wants "[::1]:80" and "1.2.3.4:80" as they are, "s" after the
// port for TLS; it has no name lookup, so "localhost" becomes 127.0.0.1.
absl::StatusOr<std::string> ListeningPort(const std::string& listen, bool tls) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size() ||
      listen.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
    return absl::InvalidArgumentError(
        StrCat("HTTP listen address \"", listen, "\" is not HOST:PORT"));
  }
  std::string host = listen.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  return StrCat(host, ":", listen.substr(colon + 1), tls ? "s" : "");
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const HttpServerOptions& options, const JsonRpc* rpc) {
  const bool tls =
      !options.tls_cert_path.empty() || !options.tls_key_path.empty();
  if (tls && (options.tls_cert_path.empty() || options.tls_key_path.empty())) {
    return absl::InvalidArgumentError(
        "HTTPS needs both a certificate and a private key");
  }
  if (tls && mg_init_library(MG_FEATURES_TLS) != MG_FEATURES_TLS &&
      mg_check_feature(MG_FEATURES_TLS) == 0) {
    return absl::FailedPreconditionError(
        "this civetweb build cannot serve HTTPS");
  }
  auto port = ListeningPort(options.listen, tls);
  if (!port.ok()) return port.status();
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->options_ = options;
  server->rpc_ = rpc;
  server->tls_files_ = std::make_unique<TlsFiles>();
  server->tls_files_->cert = options.tls_cert_path;
  server->tls_files_->key = options.tls_key_path;
  const std::string threads = std::to_string(options.threads);
  std::vector<const char*> civet_options = {
      "listening_ports",       port->c_str(),
      "num_threads",           threads.c_str(),
      "enable_keep_alive",     "yes",
      "request_timeout_ms",    "30000",
      "keep_alive_timeout_ms", "30000",
  };
  civet_options.push_back(nullptr);
  mg_callbacks callbacks{};
  callbacks.log_message = LogMessage;
  if (tls) callbacks.init_ssl = InitTls;
  void* user_data =
      tls ? static_cast<void*>(server->tls_files_.get()) : nullptr;
  server->context_ = mg_start(&callbacks, user_data, civet_options.data());
  if (server->context_ == nullptr) {
    return absl::UnavailableError(
        StrCat("cannot serve HTTP on ", options.listen,
               tls ? " (or the TLS certificate and key cannot be used)" : ""));
  }
  mg_set_request_handler(server->context_, "/", &HttpServer::Handle,
                         server.get());
  mg_server_port ports[4];
  const int count = mg_get_server_ports(server->context_, 4, ports);
  server->port_ = count > 0 ? ports[0].port : 0;
  return server;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (context_ != nullptr) {
    mg_stop(context_);
    context_ = nullptr;
  }
}

int HttpServer::Handle(mg_connection* connection, void* self) {
  return static_cast<HttpServer*>(self)->Serve(connection);
}

int HttpServer::Serve(mg_connection* connection) {
  const mg_request_info* info = mg_get_request_info(connection);
  const std::string_view method = info->request_method;
  const std::string_view uri = info->local_uri;
  if (uri.substr(0, sizeof(kApiPrefix) - 1) == kApiPrefix) {
    if (method != "POST") {
      return SendJson(connection, 405,
                      JsonError(grpc::StatusCode::UNIMPLEMENTED,
                                "the API takes POST with a JSON body"),
                      "Allow: POST\r\n");
    }
    const std::string_view path = uri.substr(sizeof(kApiPrefix) - 1);
    const size_t slash = path.find('/');
    if (slash == std::string_view::npos ||
        path.find('/', slash + 1) != std::string_view::npos) {
      return SendJsonError(connection, grpc::StatusCode::NOT_FOUND,
                           "API paths are /api/<service>/<method>");
    }
    if (info->content_length > 0 &&
        static_cast<size_t>(info->content_length) > options_.max_body_bytes) {
      return SendJson(connection, 413,
                      JsonError(grpc::StatusCode::INVALID_ARGUMENT,
                                StrCat("request body over ",
                                       options_.max_body_bytes, " bytes")));
    }
    std::string body;
    char buffer[16384];
    for (;;) {
      const int n = mg_read(connection, buffer, sizeof(buffer));
      if (n <= 0) break;
      body.append(buffer, n);
      if (body.size() > options_.max_body_bytes) {
        return SendJson(connection, 413,
                        JsonError(grpc::StatusCode::INVALID_ARGUMENT,
                                  StrCat("request body over ",
                                         options_.max_body_bytes, " bytes")));
      }
    }
    const char* authorization = mg_get_header(connection, "Authorization");
    const JsonRpc::Reply reply =
        rpc_->Call(path.substr(0, slash), path.substr(slash + 1), body,
                   authorization == nullptr ? "" : authorization);
    return SendJson(connection, reply.http_status, reply.body);
  }
  const bool head = method == "HEAD";
  if (method != "GET" && !head) {
    return Send(connection, 405, "text/plain; charset=utf-8",
                "method not allowed\n", "Allow: GET, HEAD\r\n");
  }
  const ConsoleAsset* asset = FindConsoleAsset(uri);
  if (asset == nullptr) {
    return Send(connection, 404, "text/plain; charset=utf-8", "not found\n", "",
                head);
  }
  return Send(connection, 200, asset->content_type, asset->body,
              "Cache-Control: no-cache\r\n", head);
}

}  // namespace vigil::service
