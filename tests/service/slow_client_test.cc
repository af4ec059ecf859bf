// Hostile clients against the server's ports (server.h's connection limits):
// many half-open connections (a partial request, then silence) must not
// starve the HTTP port (console and API), the metrics port or the health
// port; one client address holds at most its share of the HTTP and
// metrics ports; a stalled connection is closed after the read (or
// handshake) timeout, and a request dribbled in too slowly at the request
// deadline; connections beyond the HTTP bound are closed at once. Clients take
// source addresses in 127.0.0.0/8 (all loopback on Linux) to stand for
// different hosts.
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iterator>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "service/server.h"
#include "tests/service/test_server.h"

namespace vigil::service {
namespace {

using Clock = std::chrono::steady_clock;

double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

// Raises the soft limit on open files to at least `needed` (both ends of
// every connection live in this process); false when the hard limit is
// lower.
bool RaiseFileLimit(rlim_t needed) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  if (limit.rlim_cur >= needed) return true;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed) return false;
  limit.rlim_cur = needed;
  return setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

// A TCP connection to 127.0.0.1:port from `source` (an address in
// 127.0.0.0/8); -1 when it fails.
int Connect(int port, const char* source = "127.0.0.1") {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0) {
    close(fd);
    return -1;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Connections that sent the start of a request and then nothing; closed
// when it goes.
class HalfOpen {
 public:
  HalfOpen() = default;
  HalfOpen(const HalfOpen&) = delete;
  HalfOpen& operator=(const HalfOpen&) = delete;
  ~HalfOpen() {
    for (int fd : fds_) close(fd);
  }

  // Opens `n` connections to `port` from `source`, each sending `prefix`;
  // returns how many are open in all.
  int Open(int port, int n, const std::string& prefix,
           const char* source = "127.0.0.1") {
    for (int i = 0; i < n; ++i) {
      const int fd = Connect(port, source);
      if (fd < 0) continue;
      if (send(fd, prefix.data(), prefix.size(), MSG_NOSIGNAL) !=
          static_cast<ssize_t>(prefix.size())) {
        close(fd);
        continue;
      }
      fds_.push_back(fd);
    }
    return static_cast<int>(fds_.size());
  }
  const std::vector<int>& fds() const { return fds_; }
  // How many the server has closed (or answered) so far.
  int Closed() const {
    int closed = 0;
    for (int fd : fds_) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 0) > 0) ++closed;
    }
    return closed;
  }
  void CloseOne() {
    close(fds_.back());
    fds_.pop_back();
  }

 private:
  std::vector<int> fds_;
};

constexpr char kPartialHttp[] = "GET / HTTP/1.1\r\n";
constexpr char kPartialHttp2[] = "PRI * HTTP/2.0\r\n";  // half the preface

struct Probe {
  int status = 0;  // HTTP status; 0: no answer within the timeout
  double ms = 0;
};

// GET http://127.0.0.1:port/path from `source`, waiting at most `timeout`
// for the status line.
Probe TimedGet(int port, const std::string& path,
               std::chrono::milliseconds timeout = std::chrono::seconds(5),
               const char* source = "127.0.0.1") {
  Probe probe;
  const auto start = Clock::now();
  const int fd = Connect(port, source);
  if (fd < 0) return probe;
  const std::string request =
      "GET " + path +
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  char buffer[4096];
  while (response.find("\r\n") == std::string::npos) {
    const int left =
        static_cast<int>(timeout.count() - MillisecondsSince(start));
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || poll(&p, 1, left) <= 0) break;
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    response.append(buffer, n);
  }
  close(fd);
  probe.ms = MillisecondsSince(start);
  if (response.rfind("HTTP/1.1 ", 0) == 0 && response.size() >= 12) {
    probe.status = std::stoi(response.substr(9, 3));
  }
  return probe;
}

// TimedGet, retried every 20 ms for up to a second until it gets 200 (the
// server notices closed connections asynchronously).
Probe GetOnceServed(int port, const std::string& path,
                    const char* source = "127.0.0.1") {
  Probe probe;
  for (int i = 0; i < 50 && probe.status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    probe = TimedGet(port, path, std::chrono::seconds(2), source);
  }
  return probe;
}

// grpc.health.v1.Health/Check on a fresh channel: SERVING within 5 s.
Probe TimedHealthCheck(int port) {
  Probe probe;
  const auto start = Clock::now();
  auto stub = grpc::health::v1::Health::NewStub(testing::LoopbackChannel(port));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  probe.ms = MillisecondsSince(start);
  if (status.ok() &&
      response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
    probe.status = 200;
  }
  return probe;
}

// Waits up to `limit` for the server to close `fd` (reading whatever it
// sends first: gRPC sends its settings); the time it took, or a negative
// value when it stayed open.
double MillisecondsUntilClosed(int fd, std::chrono::milliseconds limit) {
  const auto start = Clock::now();
  char buffer[4096];
  for (;;) {
    const int left = static_cast<int>(limit.count() - MillisecondsSince(start));
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || poll(&p, 1, left) <= 0) return -1;
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return MillisecondsSince(start);
  }
}

ServerOptions AllPortsOptions() {
  ServerOptions options = testing::TestServerOptions();
  options.http_listen = "127.0.0.1:0";
  options.metrics_listen = "127.0.0.1:0";
  options.health_listen = "127.0.0.1:0";
  return options;
}

constexpr int kSlowClients = 1000;
// The slow clients' addresses: 1,000 connections from one address would
// meet the per-address bound (tested below), not the server's capacity.
constexpr const char* kSlowHosts[] = {"127.0.0.2", "127.0.0.3", "127.0.0.4",
                                      "127.0.0.5", "127.0.0.6", "127.0.0.7",
                                      "127.0.0.8", "127.0.0.9"};

// Opens kSlowClients half-open connections to `port`, spread over
// kSlowHosts.
int OpenSlowClients(HalfOpen& held, int port, const char* prefix) {
  const int each = kSlowClients / std::size(kSlowHosts);
  for (const char* host : kSlowHosts) held.Open(port, each, prefix, host);
  return static_cast<int>(held.fds().size());
}

TEST(SlowClientTest, AThousandHalfOpenConnectionsStarveNoPort) {
  // Both ends of 3 x 1,000 connections, plus the server's own files.
  if (!RaiseFileLimit(4 * 2 * kSlowClients)) {
    GTEST_SKIP() << "needs RLIMIT_NOFILE >= " << 4 * 2 * kSlowClients
                 << " (raise the hard limit: ulimit -Hn)";
  }
  auto server = Server::Start(AllPortsOptions());
  ASSERT_TRUE(server.ok()) << server.status();
  const int http_port = (*server)->http_port();
  const int metrics_port = (*server)->metrics_port();
  const int health_port = (*server)->health_port();

  HalfOpen http, metrics, health;
  const auto opening = Clock::now();
  ASSERT_EQ(OpenSlowClients(http, http_port, kPartialHttp), kSlowClients);
  ASSERT_EQ(OpenSlowClients(metrics, metrics_port, kPartialHttp), kSlowClients);
  ASSERT_EQ(OpenSlowClients(health, health_port, kPartialHttp2), kSlowClients);
  const double opening_ms = MillisecondsSince(opening);

  // Right away, the probe may queue behind connections the server is still
  // accepting (a thread started for each); then all 3,000 stay open while
  // the probes run.
  const Probe first = TimedGet(http_port, "/");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const Probe console = TimedGet(http_port, "/");
  const Probe api =
      TimedGet(http_port, "/api/vigil.v1.StatsService/GetSummary");
  const Probe scrape = TimedGet(metrics_port, "/metrics");
  const Probe check = TimedHealthCheck(health_port);
  std::printf(
      "slow clients: %d half-open per port (opened in %.0f ms); GET / at "
      "once %d in %.1f ms; 1 s later: GET / %d in %.1f ms; GET /api %d in "
      "%.1f ms; GET /metrics %d in %.1f ms; health Check %s in %.1f ms\n",
      kSlowClients, opening_ms, first.status, first.ms, console.status,
      console.ms, api.status, api.ms, scrape.status, scrape.ms,
      check.status == 200 ? "SERVING" : "failed", check.ms);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(console.status, 200);
  EXPECT_LT(console.ms, 1000);
  EXPECT_EQ(api.status, 405);  // answered (the API takes POST)
  EXPECT_LT(api.ms, 1000);
  EXPECT_EQ(scrape.status, 200);
  EXPECT_LT(scrape.ms, 1000);
  EXPECT_EQ(check.status, 200);
  EXPECT_LT(check.ms, 1000);
  // The half-open connections were served, not dropped: none closed yet.
  for (const HalfOpen* held : {&http, &metrics}) EXPECT_EQ(held->Closed(), 0);
  // The connections close before the server (declared after it), so its
  // threads end at once rather than after the read timeout.
}

TEST(SlowClientTest, OneAddressHoldsAtMostItsShare) {
  ServerOptions options = AllPortsOptions();
  options.http_max_connections_per_client = 16;
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  for (const auto& [name, port, path] :
       {std::tuple{"http", (*server)->http_port(), "/"},
        std::tuple{"metrics", (*server)->metrics_port(), "/metrics"}}) {
    SCOPED_TRACE(name);
    // One host opens 40: the server keeps 16 and closes the rest at once.
    HalfOpen greedy;
    ASSERT_EQ(greedy.Open(port, 40, kPartialHttp, "127.0.0.2"), 40);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const int closed = greedy.Closed();
    // Another host is served; the greedy one is not until it lets go.
    const Probe other = TimedGet(port, path, std::chrono::seconds(5));
    const Probe same =
        TimedGet(port, path, std::chrono::seconds(2), "127.0.0.2");
    std::printf(
        "slow clients: %s port, 40 half-open from one address, bound 16: "
        "%d closed at once; another address GET %s %d in %.1f ms; the same "
        "address %d\n",
        name, closed, path, other.status, other.ms, same.status);
    EXPECT_EQ(closed, 40 - 16);
    EXPECT_EQ(other.status, 200);
    EXPECT_LT(other.ms, 1000);
    EXPECT_EQ(same.status, 0);
    while (!greedy.fds().empty()) greedy.CloseOne();
    // Once the server sees the closes, the address is served again.
    EXPECT_EQ(GetOnceServed(port, path, "127.0.0.2").status, 200);
  }
}

TEST(SlowClientTest, AStalledConnectionIsClosedAfterTheTimeout) {
  ServerOptions options = AllPortsOptions();
  options.http_read_timeout = std::chrono::seconds(1);
  options.http_keep_alive_timeout = std::chrono::seconds(1);
  options.grpc_handshake_timeout = std::chrono::seconds(1);
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const struct {
    const char* port_name;
    int port;
    const char* prefix;
  } cases[] = {
      {"http", (*server)->http_port(), kPartialHttp},
      {"metrics", (*server)->metrics_port(), kPartialHttp},
      {"health", (*server)->health_port(), kPartialHttp2},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.port_name);
    HalfOpen stalled;
    ASSERT_EQ(stalled.Open(c.port, 1, c.prefix), 1);
    const double ms =
        MillisecondsUntilClosed(stalled.fds()[0], std::chrono::seconds(10));
    std::printf(
        "slow clients: %s port closed a stalled connection after %.0f "
        "ms (timeouts 1000 ms)\n",
        c.port_name, ms);
    EXPECT_GE(ms, 900);  // not before the timeout
    EXPECT_LT(ms, 3000);
  }
}

// A client that sends its request a byte at a time, each within the read
// timeout, is cut off at the request deadline; one that sends its request
// whole on a connection kept alive past the deadline is not.
TEST(SlowClientTest, ADribbledRequestIsCutOffAtTheDeadline) {
  ServerOptions options = AllPortsOptions();
  options.http_read_timeout = std::chrono::seconds(2);
  options.http_request_timeout = std::chrono::milliseconds(1500);
  options.http_keep_alive_timeout = std::chrono::seconds(5);
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  for (const auto& [name, port] :
       {std::pair{"http", (*server)->http_port()},
        std::pair{"metrics", (*server)->metrics_port()}}) {
    SCOPED_TRACE(name);
    const int fd = Connect(port);
    ASSERT_GE(fd, 0);
    const std::string request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    const auto start = Clock::now();
    double cut_ms = -1;
    for (size_t i = 0; i < request.size(); ++i) {
      if (send(fd, &request[i], 1, MSG_NOSIGNAL) != 1) break;
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 200) > 0) {  // closed (nothing is answered)
        cut_ms = MillisecondsSince(start);
        break;
      }
    }
    close(fd);
    std::printf(
        "slow clients: %s port cut off a request sent a byte per 200 ms "
        "after %.0f ms (deadline 1500 ms, read timeout 2000 ms)\n",
        name, cut_ms);
    EXPECT_GE(cut_ms, 1400);
    EXPECT_LT(cut_ms, 3000);
  }
  // Kept alive: two whole requests 2 s apart on one connection both answer.
  const int fd = Connect((*server)->http_port());
  ASSERT_GE(fd, 0);
  const std::string request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  for (int i = 0; i < 2; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::seconds(2));
    ASSERT_EQ(send(fd, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
    std::string response;
    char buffer[65536];
    while (response.find("</html>") == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 2000) <= 0) break;
      const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      response.append(buffer, n);
    }
    EXPECT_EQ(response.rfind("HTTP/1.1 200", 0), 0u) << "request " << i;
  }
  close(fd);
}

TEST(SlowClientTest, ConnectionsBeyondTheBoundAreClosedAtOnce) {
  ServerOptions options = AllPortsOptions();
  options.http_max_connections = 8;
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->http_port();
  HalfOpen held;
  ASSERT_EQ(held.Open(port, 8, kPartialHttp, "127.0.0.2"), 8);
  // The ninth, from another address, is closed without an answer at once
  // (it would otherwise wait for the read timeout, 10 s)...
  const Probe refused = TimedGet(port, "/", std::chrono::seconds(5));
  std::printf("slow clients: bound 8 held, a ninth closed after %.1f ms\n",
              refused.ms);
  EXPECT_EQ(refused.status, 0);
  EXPECT_LT(refused.ms, 1000);
  // ...and one is served again once a connection goes.
  held.CloseOne();
  EXPECT_EQ(GetOnceServed(port, "/").status, 200);
  EXPECT_EQ(held.Closed(), 0);  // the held ones were not dropped
}

}  // namespace
}  // namespace vigil::service
