// Hostile clients against the server's ports (server.h's connection limits):
// many half-open connections (a partial request, then silence) must not
// starve the HTTP port (console and API), the metrics port or the health
// port; a stalled connection is closed after the read (or handshake)
// timeout; connections beyond the HTTP bound wait until one closes.
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
#include <string>
#include <thread>
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

// A TCP connection to 127.0.0.1:port; -1 when it fails.
int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
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

  // Opens `n` connections to `port`, each sending `prefix`; returns how
  // many are open.
  int Open(int port, int n, const std::string& prefix) {
    for (int i = 0; i < n; ++i) {
      const int fd = Connect(port);
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

// GET http://127.0.0.1:port/path, waiting at most `timeout` for the status
// line.
Probe TimedGet(int port, const std::string& path,
               std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  Probe probe;
  const auto start = Clock::now();
  const int fd = Connect(port);
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
// sends first: HTTP answers 400 after the read timeout, then closes after
// the keep-alive timeout; gRPC sends its settings); the time it took, or a
// negative value when it stayed open.
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
  ASSERT_EQ(http.Open(http_port, kSlowClients, kPartialHttp), kSlowClients);
  ASSERT_EQ(metrics.Open(metrics_port, kSlowClients, kPartialHttp),
            kSlowClients);
  ASSERT_EQ(health.Open(health_port, kSlowClients, kPartialHttp2),
            kSlowClients);
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
  for (const HalfOpen* held : {&http, &metrics}) {
    int closed = 0;
    for (int fd : held->fds()) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 0) > 0) ++closed;
    }
    EXPECT_EQ(closed, 0);
  }
  // The connections close before the server (declared after it), so its
  // threads end at once rather than after the read timeout.
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
    EXPECT_GE(ms, 900);   // not before the timeout
    EXPECT_LT(ms, 4000);  // HTTP: read timeout + keep-alive timeout
  }
}

TEST(SlowClientTest, ConnectionsBeyondTheBoundWaitForOneToClose) {
  ServerOptions options = AllPortsOptions();
  options.http_max_connections = 8;  // HttpServerOptions::threads' default
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->http_port();
  HalfOpen held;
  ASSERT_EQ(held.Open(port, 8, kPartialHttp), 8);
  // The ninth waits in the listen queue...
  const Probe refused = TimedGet(port, "/", std::chrono::milliseconds(500));
  EXPECT_EQ(refused.status, 0);
  // ...and is served once a connection goes.
  Probe served;
  std::thread prober([&] { served = TimedGet(port, "/"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  held.CloseOne();
  prober.join();
  EXPECT_EQ(served.status, 200);
}

}  // namespace
}  // namespace vigil::service
