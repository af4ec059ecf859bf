// HTTP over GNU libmicrohttpd, one thread per connection.
//
// libmicrohttpd calls OnRequest once when a request's headers are in (the
// request context is still null: client certificate and Content-Length are
// checked, the connection's timeout set back to the read timeout), once per
// piece of body (appended, up to max_body_bytes) and once more at the end,
// when Handle() builds the Reply and Send() queues it. A streamed reply
// (Backtest's JSON lines) is read by libmicrohttpd from a callback that
// blocks on the stream, which only holds up this connection's thread. When
// the request is done (sent, or the client went away) OnCompleted frees its
// context and gives the connection the keep-alive timeout until the next
// request's headers arrive.
//
// libmicrohttpd times each read, not a whole request. The Watchdog does:
// each connection records since when it has been waiting for a request to
// arrive (from its start, or from when the keep-alive timeout after the
// previous reply would end, to the last piece of the body), and a thread
// shuts down the socket of any that has waited longer than
// request_timeout; the connection's thread then sees the end of input and
// closes it.
#include "service/http/http_server.h"

#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "analyzers/util/strings.h"
#include "service/host_port.h"
#include "service/http/console_assets.h"

namespace vigil::service {

namespace {

constexpr char kJson[] = "application/json; charset=utf-8";
constexpr char kNdJson[] = "application/x-ndjson; charset=utf-8";
constexpr char kText[] = "text/plain; charset=utf-8";

// Same-origin only: the console loads nothing from elsewhere and may not be
// framed. Sent with every reply.
constexpr std::pair<const char*, const char*> kSecurityHeaders[] = {
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src "
     "'self' data:; connect-src 'self'; base-uri 'none'; form-action "
     "'none'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
};

unsigned int Seconds(std::chrono::milliseconds timeout) {
  return static_cast<unsigned int>(
      std::max<int64_t>(1, (timeout.count() + 999) / 1000));
}

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf())) {
    return absl::InvalidArgumentError(StrCat("HTTPS: cannot read ", path));
  }
  return text.str();
}

// A listening TCP socket on `address` (backlog SOMAXCONN, close-on-exec),
// and the port it got.
absl::StatusOr<int> ListenOn(const HostPort& address, int* port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(address.port);
  if (const int e =
          getaddrinfo(address.host.c_str(), service.c_str(), &hints, &found);
      e != 0) {
    return absl::UnavailableError(
        StrCat("cannot resolve ", address.host, ": ", gai_strerror(e)));
  }
  int error = 0;
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = errno;
      continue;
    }
    const int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 ||
        listen(fd, SOMAXCONN) != 0) {
      error = errno;
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) return absl::UnavailableError(strerror(error));
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  *port = ntohs(bound.ss_family == AF_INET6
                    ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                    : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return fd;
}

std::string Header(MHD_Connection* connection, const char* name) {
  const char* value =
      MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
  return value == nullptr ? std::string() : std::string(value);
}

// A server-streamed reply as libmicrohttpd reads it: the lines so far,
// then the next from the stream (blocking this connection's thread).
struct StreamReader {
  std::shared_ptr<JsonRpc::Stream> stream;
  std::string pending;  // the rest of the current line
  size_t offset = 0;
  bool finished = false;  // stream->Finish() called

  static ssize_t Read(void* cls, uint64_t, char* out, size_t max) {
    auto* self = static_cast<StreamReader*>(cls);
    while (self->offset == self->pending.size()) {
      if (self->finished) return MHD_CONTENT_READER_END_OF_STREAM;
      self->pending.clear();
      self->offset = 0;
      if (self->stream->Next(&self->pending)) {
        self->pending += '\n';
        continue;
      }
      // Done: a failure after the start ends the stream with an error
      // line ({"code": ..., "message": ...}).
      const JsonRpc::Reply reply = self->stream->Finish();
      self->finished = true;
      if (!reply.body.empty()) self->pending = reply.body + "\n";
    }
    const size_t n = std::min(max, self->pending.size() - self->offset);
    memcpy(out, self->pending.data() + self->offset, n);
    self->offset += n;
    return static_cast<ssize_t>(n);
  }
  // Called when the response is done with, sent or not (the client went
  // away): an unfinished stream is cancelled.
  static void Free(void* cls) {
    auto* self = static_cast<StreamReader*>(cls);
    if (!self->finished) {
      self->stream->Cancel();
      self->stream->Finish();
    }
    delete self;
  }
};

// A request's state between libmicrohttpd's calls.
struct Exchange {
  std::string body;
  bool too_large = false;
};

using SteadyClock = std::chrono::steady_clock;

// A connection's state.
struct ConnectionState {
  int fd = -1;
  int requests = 0;  // answered on it
  // Since when a request has been arriving; nullopt while one is served.
  // Guarded by the Watchdog's mutex.
  std::optional<SteadyClock::time_point> waiting_since;
};

}  // namespace

struct HttpServer::Watchdog {
  Watchdog(std::chrono::milliseconds timeout, std::chrono::seconds keep_alive)
      : timeout(timeout), keep_alive(keep_alive), thread([this] { Run(); }) {}
  ~Watchdog() {
    {
      absl::MutexLock lock(&mu);
      stopping = true;
    }
    thread.join();
  }

  void Add(ConnectionState* state) {
    absl::MutexLock lock(&mu);
    state->waiting_since = SteadyClock::now();
    connections.push_back(state);
  }
  void Remove(ConnectionState* state) {
    absl::MutexLock lock(&mu);
    connections.erase(std::find(connections.begin(), connections.end(), state));
  }
  // A request is all in (false) or a reply was sent (true): the next
  // request's clock starts when the keep-alive timeout would end.
  void SetWaiting(ConnectionState* state, bool waiting) {
    absl::MutexLock lock(&mu);
    if (waiting) {
      state->waiting_since = SteadyClock::now() + keep_alive;
    } else {
      state->waiting_since.reset();
    }
  }

  void Run() {
    const auto period = std::clamp<std::chrono::milliseconds>(
        timeout / 4, std::chrono::milliseconds(10), std::chrono::seconds(1));
    absl::MutexLock lock(&mu);
    while (!mu.AwaitWithTimeout(absl::Condition(&stopping),
                                absl::FromChrono(period))) {
      const auto late = SteadyClock::now() - timeout;
      for (ConnectionState* state : connections) {
        if (state->waiting_since.has_value() && *state->waiting_since < late) {
          // Still open: Remove() takes the mutex before the fd is closed.
          shutdown(state->fd, SHUT_RDWR);
          state->waiting_since.reset();
        }
      }
    }
  }

  const std::chrono::milliseconds timeout;
  const std::chrono::seconds keep_alive;
  absl::Mutex mu;
  bool stopping ABSL_GUARDED_BY(mu) = false;
  std::vector<ConnectionState*> connections ABSL_GUARDED_BY(mu);
  std::thread thread;  // last: starts Run() once the rest is built
};

struct HttpServer::Request {
  MHD_Connection* connection = nullptr;
  std::string method;  // HEAD is served as GET (libmicrohttpd drops the body)
  std::string path;
  std::string body;

  std::string header(const char* name) const {
    return Header(connection, name);
  }
  std::optional<std::string> query(const char* name) const {
    const char* value =
        MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  }
};

struct HttpServer::Reply {
  int status = 200;
  std::string content_type;
  std::string body;
  // Borrowed body that outlives the server (the console's files); used
  // instead of `body` when set.
  std::string_view static_body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::unique_ptr<StreamReader> stream;  // set: the body comes from it

  static Reply Json(int status, std::string body) {
    Reply reply;
    reply.status = status;
    reply.content_type = kJson;
    reply.body = std::move(body);
    reply.headers.emplace_back("Cache-Control", "no-store");
    return reply;
  }
  static Reply JsonError(int status, grpc::StatusCode code,
                         std::string_view message) {
    return Json(status, vigil::service::JsonError(code, message));
  }
  static Reply Text(int status, std::string body) {
    Reply reply;
    reply.status = status;
    reply.content_type = kText;
    reply.body = std::move(body);
    return reply;
  }
};

// libmicrohttpd's callbacks, with access to HttpServer's private parts.
struct HttpCallbacks {
  static MHD_Result OnRequest(void* cls, MHD_Connection* connection,
                              const char* url, const char* method,
                              const char* /*version*/, const char* upload_data,
                              size_t* upload_data_size,
                              void** request_context) {
    const auto* server = static_cast<const HttpServer*>(cls);
    const HttpServerOptions& options = server->options_;
    auto* exchange = static_cast<Exchange*>(*request_context);
    if (exchange == nullptr) {  // the headers are in
      if (!server->ClientCertificateOk(connection)) return MHD_NO;
      MHD_set_connection_option(connection, MHD_CONNECTION_OPTION_TIMEOUT,
                                Seconds(options.read_timeout));
      exchange = new Exchange();
      *request_context = exchange;
      const std::string length =
          Header(connection, MHD_HTTP_HEADER_CONTENT_LENGTH);
      if (!length.empty() &&
          std::strtoull(length.c_str(), nullptr, 10) > options.max_body_bytes) {
        exchange->too_large = true;  // refused before the body is read
        SetWaiting(server, connection, false);
        return server->Send(connection, server->TooLarge(url)) ? MHD_YES
                                                               : MHD_NO;
      }
      return MHD_YES;
    }
    if (*upload_data_size > 0) {
      const size_t size = *upload_data_size;
      *upload_data_size = 0;
      if (exchange->too_large) return MHD_YES;
      if (exchange->body.size() + size > options.max_body_bytes) {
        // A chunked body over the limit: refuse it now if libmicrohttpd
        // lets us, else close the connection.
        exchange->too_large = true;
        exchange->body.clear();
        exchange->body.shrink_to_fit();
        SetWaiting(server, connection, false);
        return server->Send(connection, server->TooLarge(url)) ? MHD_YES
                                                               : MHD_NO;
      }
      exchange->body.append(upload_data, size);
      return MHD_YES;
    }
    if (exchange->too_large) return MHD_YES;  // the 413 is queued
    SetWaiting(server, connection, false);
    HttpServer::Request request;
    request.connection = connection;
    request.method = method;
    if (request.method == MHD_HTTP_METHOD_HEAD) request.method = "GET";
    request.path = url;
    request.body = std::move(exchange->body);
    return server->Send(connection, server->Handle(request)) ? MHD_YES : MHD_NO;
  }

  static void OnCompleted(void* cls, MHD_Connection* connection,
                          void** request_context, MHD_RequestTerminationCode) {
    const auto* server = static_cast<const HttpServer*>(cls);
    delete static_cast<Exchange*>(*request_context);
    *request_context = nullptr;
    SetWaiting(server, connection, true);
    MHD_set_connection_option(
        connection, MHD_CONNECTION_OPTION_TIMEOUT,
        static_cast<unsigned int>(
            std::max<int64_t>(1, server->options_.keep_alive_timeout.count())));
  }

  static void OnConnection(void* cls, MHD_Connection* connection,
                           void** connection_context,
                           MHD_ConnectionNotificationCode what) {
    const auto* server = static_cast<const HttpServer*>(cls);
    if (what == MHD_CONNECTION_NOTIFY_STARTED) {
      auto* state = new ConnectionState();
      const MHD_ConnectionInfo* info = MHD_get_connection_info(
          connection, MHD_CONNECTION_INFO_CONNECTION_FD);
      if (info != nullptr) state->fd = info->connect_fd;
      *connection_context = state;
      if (state->fd >= 0) server->watchdog_->Add(state);
    } else {
      auto* state = static_cast<ConnectionState*>(*connection_context);
      if (state == nullptr) return;
      if (state->fd >= 0) server->watchdog_->Remove(state);
      delete state;
      *connection_context = nullptr;
    }
  }

  // The connection's state; null if libmicrohttpd has none.
  static ConnectionState* State(MHD_Connection* connection) {
    const MHD_ConnectionInfo* info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info == nullptr
               ? nullptr
               : static_cast<ConnectionState*>(info->socket_context);
  }
  static void SetWaiting(const HttpServer* server, MHD_Connection* connection,
                         bool waiting) {
    ConnectionState* state = State(connection);
    if (state != nullptr && state->fd >= 0) {
      server->watchdog_->SetWaiting(state, waiting);
    }
  }
};

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Create(
    const HttpServerOptions& options) {
  const bool tls =
      !options.tls_cert_path.empty() || !options.tls_key_path.empty();
  if (tls && (options.tls_cert_path.empty() || options.tls_key_path.empty())) {
    return absl::InvalidArgumentError(
        "HTTPS needs both a certificate and a private key");
  }
  if (absl::StatusOr<HostPort> address = ParseHostPort(options.listen);
      !address.ok()) {
    return absl::InvalidArgumentError(StrCat(
        "HTTP listen address \"", options.listen, "\" is not HOST:PORT"));
  }
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->options_ = options;
  if (tls) {
    for (auto [path, text] :
         {std::pair{&options.tls_cert_path, &server->tls_cert_},
          std::pair{&options.tls_key_path, &server->tls_key_},
          std::pair{&options.tls_client_ca_path, &server->tls_client_ca_}}) {
      if (path->empty()) continue;
      absl::StatusOr<std::string> pem = ReadPem(*path);
      if (!pem.ok()) return pem.status();
      *text = *std::move(pem);
    }
  }
  return server;
}

absl::Status HttpServer::Listen() {
  absl::StatusOr<HostPort> address = ParseHostPort(options_.listen);
  if (!address.ok()) return address.status();  // checked in Create
  // The socket is vigil's, not libmicrohttpd's: any host name, and a
  // listen backlog of SOMAXCONN so a burst of connections is not dropped.
  absl::StatusOr<int> fd = ListenOn(*address, &port_);
  if (!fd.ok()) {
    return absl::UnavailableError(StrCat("cannot serve HTTP on ",
                                         options_.listen, ": ",
                                         std::string(fd.status().message())));
  }
  watchdog_ = std::make_unique<Watchdog>(
      options_.request_timeout,
      std::max(std::chrono::seconds(1), options_.keep_alive_timeout));
  const bool tls = !tls_cert_.empty();
  unsigned int flags = MHD_USE_THREAD_PER_CONNECTION |
                       MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
  if (tls) flags |= MHD_USE_TLS;
  std::vector<MHD_OptionItem> items = {
      {MHD_OPTION_LISTEN_SOCKET, *fd, nullptr},
      {MHD_OPTION_CONNECTION_LIMIT,
       static_cast<intptr_t>(std::max(1, options_.max_connections)), nullptr},
      {MHD_OPTION_PER_IP_CONNECTION_LIMIT,
       static_cast<intptr_t>(std::max(1, options_.max_connections_per_client)),
       nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT,
       static_cast<intptr_t>(Seconds(options_.read_timeout)), nullptr},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 64 * 1024, nullptr},
      {MHD_OPTION_NOTIFY_COMPLETED,
       reinterpret_cast<intptr_t>(&HttpCallbacks::OnCompleted), this},
      {MHD_OPTION_NOTIFY_CONNECTION,
       reinterpret_cast<intptr_t>(&HttpCallbacks::OnConnection), this},
  };
  if (tls) {
    items.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, tls_cert_.data()});
    items.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, tls_key_.data()});
    if (!tls_client_ca_.empty()) {
      items.push_back({MHD_OPTION_HTTPS_MEM_TRUST, 0, tls_client_ca_.data()});
    }
  }
  items.push_back({MHD_OPTION_END, 0, nullptr});
  daemon_ =
      MHD_start_daemon(flags, 0, nullptr, nullptr, &HttpCallbacks::OnRequest,
                       this, MHD_OPTION_ARRAY, items.data(), MHD_OPTION_END);
  if (daemon_ == nullptr) {
    close(*fd);
    if (tls) {
      return absl::InvalidArgumentError(
          StrCat("HTTPS: cannot use the certificate ", options_.tls_cert_path,
                 " with the key ", options_.tls_key_path));
    }
    return absl::UnavailableError(
        StrCat("cannot serve HTTP on ", options_.listen));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const HttpServerOptions& options, const JsonRpc* rpc,
    const DropInApi* dropin) {
  absl::StatusOr<std::unique_ptr<HttpServer>> server = Create(options);
  if (!server.ok()) return server.status();
  (*server)->rpc_ = rpc;
  (*server)->dropin_ = dropin;
  if (absl::Status s = (*server)->Listen(); !s.ok()) return s;
  return server;
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::StartPage(
    const HttpServerOptions& options, const std::string& path,
    const std::string& content_type, std::function<std::string()> body) {
  absl::StatusOr<std::unique_ptr<HttpServer>> server = Create(options);
  if (!server.ok()) return server.status();
  (*server)->page_path_ = path;
  (*server)->page_content_type_ = content_type;
  (*server)->page_body_ = std::move(body);
  if (absl::Status s = (*server)->Listen(); !s.ok()) return s;
  return server;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (daemon_ == nullptr) return;
  MHD_stop_daemon(daemon_);  // closes the listening socket too
  daemon_ = nullptr;
  watchdog_.reset();
}

bool HttpServer::ClientCertificateOk(MHD_Connection* connection) const {
  if (tls_client_ca_.empty()) return true;
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  if (info == nullptr || info->tls_session == nullptr) return false;
  auto session = static_cast<gnutls_session_t>(info->tls_session);
  unsigned int certificates = 0;
  if (gnutls_certificate_get_peers(session, &certificates) == nullptr ||
      certificates == 0) {
    return false;
  }
  unsigned int status = 0;
  return gnutls_certificate_verify_peers2(session, &status) ==
             GNUTLS_E_SUCCESS &&
         status == 0;
}

HttpServer::Reply HttpServer::TooLarge(const std::string& path) const {
  const std::string message =
      StrCat("request body over ", options_.max_body_bytes, " bytes");
  if (auto refusal = DropInApi::Refusal(path, 413, message)) {
    return Reply::Json(413, refusal->body);
  }
  return Reply::JsonError(413, grpc::StatusCode::INVALID_ARGUMENT, message);
}

bool HttpServer::Send(MHD_Connection* connection, Reply reply) const {
  MHD_Response* response = nullptr;
  if (reply.stream != nullptr) {
    response = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 16 * 1024, &StreamReader::Read, reply.stream.get(),
        &StreamReader::Free);
    if (response != nullptr) reply.stream.release();  // Free() deletes it
  } else if (!reply.static_body.empty()) {
    response = MHD_create_response_from_buffer(
        reply.static_body.size(), const_cast<char*>(reply.static_body.data()),
        MHD_RESPMEM_PERSISTENT);
  } else {
    auto* body = new std::string(std::move(reply.body));
    response = MHD_create_response_from_buffer_with_free_callback_cls(
        body->size(), body->data(),
        [](void* cls) { delete static_cast<std::string*>(cls); }, body);
    if (response == nullptr) delete body;
  }
  if (response == nullptr) return false;
  for (const auto& [name, value] : kSecurityHeaders) {
    MHD_add_response_header(response, name, value);
  }
  if (!reply.content_type.empty()) {
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                            reply.content_type.c_str());
  }
  for (const auto& [name, value] : reply.headers) {
    MHD_add_response_header(response, name.c_str(), value.c_str());
  }
  // Requests per kept-alive connection are bounded: the last one closes it.
  if (ConnectionState* state = HttpCallbacks::State(connection);
      state != nullptr) {
    if (++state->requests >= std::max(1, options_.keep_alive_max_requests)) {
      MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
    }
  }
  const MHD_Result queued =
      MHD_queue_response(connection, reply.status, response);
  MHD_destroy_response(response);
  return queued == MHD_YES;
}

HttpServer::Reply HttpServer::ServeStream(const Request& request,
                                          const std::string& service,
                                          const std::string& method) const {
  JsonRpc::Reply error;
  std::shared_ptr<JsonRpc::Stream> stream = rpc_->OpenStream(
      service, method, request.body, request.header("Authorization"), &error);
  std::string first;
  if (stream != nullptr && !stream->Next(&first)) error = stream->Finish();
  if (first.empty()) {  // refused, failed or empty: a plain reply
    Reply reply = Reply::Json(error.http_status, error.body);
    if (error.body.empty()) reply.content_type = kNdJson;
    return reply;
  }
  // Started: one JSON message per line as they come.
  Reply reply;
  reply.content_type = kNdJson;
  reply.headers.emplace_back("Cache-Control", "no-store");
  reply.stream = std::make_unique<StreamReader>();
  reply.stream->stream = std::move(stream);
  reply.stream->pending = first + "\n";
  return reply;
}

HttpServer::Reply HttpServer::Handle(const Request& request) const {
  const std::string& path = request.path;
  const bool api = path.rfind("/api/", 0) == 0;
  if (page_body_ != nullptr) {  // StartPage: one page, GET only
    if (request.method != "GET") {
      Reply reply = Reply::Text(405, "HTTP 405\n");
      reply.headers.emplace_back("Allow", "GET, HEAD");
      return reply;
    }
    if (path != page_path_) return Reply::Text(404, "HTTP 404\n");
    Reply reply;
    reply.content_type = page_content_type_;
    reply.body = page_body_();
    reply.headers.emplace_back("Cache-Control", "no-store");
    return reply;
  }
  if (request.method == "POST") {
    // POST /api/<service>/<method>: the gRPC method path under /api.
    if (api) {
      const std::string_view rest = std::string_view(path).substr(5);
      const size_t slash = rest.find('/');
      if (slash != std::string_view::npos && slash > 0 &&
          slash + 1 < rest.size() &&
          rest.find('/', slash + 1) == std::string_view::npos) {
        const std::string service(rest.substr(0, slash));
        const std::string method(rest.substr(slash + 1));
        if (rpc_->Streams(service, method)) {
          return ServeStream(request, service, method);
        }
        const JsonRpc::Reply reply = rpc_->Call(
            service, method, request.body, request.header("Authorization"));
        return Reply::Json(reply.http_status, reply.body);
      }
      return Reply::JsonError(404, grpc::StatusCode::NOT_FOUND,
                              "API paths are /api/<service>/<method>");
    }
    // The drop-in APIs (dropin_api.h), answering in the originals' shapes.
    if (dropin_ != nullptr) {
      if (path == "/v1/moderations") {
        const DropInApi::Reply reply =
            dropin_->Moderations(request.body, request.header("Authorization"));
        return Reply::Json(reply.http_status, reply.body);
      }
      if (path == "/v1alpha1/comments:analyze") {
        // The key as Google reads it: ?key=, or the header.
        const std::string key =
            request.query("key").value_or(request.header("X-Goog-Api-Key"));
        const DropInApi::Reply reply =
            dropin_->PerspectiveAnalyze(request.body, key);
        return Reply::Json(reply.http_status, reply.body);
      }
      // Perspective's other methods (comments:suggestscore) are not served.
      if (path.rfind("/v1alpha1/", 0) == 0) {
        const auto refusal = DropInApi::Refusal(
            path, 404,
            StrCat("vigil serves comments:analyze only, not ", path));
        return Reply::Json(404, refusal->body);
      }
    }
  }
  if (request.method == "GET") {
    if (api) {
      Reply reply = Reply::JsonError(405, grpc::StatusCode::UNIMPLEMENTED,
                                     "the API takes POST with a JSON body");
      reply.headers.emplace_back("Allow", "POST");
      return reply;
    }
    const ConsoleAsset* asset = FindConsoleAsset(path);
    if (asset == nullptr) return Reply::Text(404, "not found\n");
    Reply reply;
    reply.content_type = std::string(asset->content_type);
    reply.static_body = asset->body;
    reply.headers.emplace_back("Cache-Control", "no-cache");
    return reply;
  }
  Reply reply = Reply::Text(405, "method not allowed\n");
  reply.headers.emplace_back("Allow", api ? "POST" : "GET, HEAD");
  return reply;
}

}  // namespace vigil::service
