#include "tests/service/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <random>

namespace vigil::testing {

struct FaultProxy::Link {
  int client = -1;
  int server = -1;
  std::atomic<bool> dead{false};
  std::thread up;    // client -> server
  std::thread down;  // server -> client
};

namespace {

int Listen(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd, 128) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Closes `fd` with a RST rather than a FIN.
void Abort(int fd) {
  linger hard{.l_onoff = 1, .l_linger = 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  close(fd);
}

}  // namespace

std::unique_ptr<FaultProxy> FaultProxy::Start(int target_port) {
  std::unique_ptr<FaultProxy> proxy(new FaultProxy);
  proxy->target_port_ = target_port;
  proxy->listen_fd_ = Listen(&proxy->port_);
  if (proxy->listen_fd_ < 0) return nullptr;
  proxy->acceptor_ = std::thread([p = proxy.get()] { p->AcceptLoop(); });
  return proxy;
}

FaultProxy::~FaultProxy() {
  stopping_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
  ResetAll();
}

void FaultProxy::SetFaults(const Faults& faults) {
  delay_ms_ = faults.delay_ms;
  stall_percent_ = faults.stall_percent;
  stall_ms_ = faults.stall_ms;
}

void FaultProxy::ResetAll() {
  std::list<std::unique_ptr<Link>> links;
  {
    std::lock_guard<std::mutex> lock(mu_);
    links.swap(links_);
  }
  for (auto& link : links) {
    const bool live = !link->dead.exchange(true);
    link->up.join();
    link->down.join();
    Abort(link->client);
    Abort(link->server);
    if (live) ++resets_;
  }
}

void FaultProxy::AcceptLoop() {
  unsigned seed = 20261207;
  while (!stopping_) {
    pollfd p{.fd = listen_fd_, .events = POLLIN, .revents = 0};
    if (poll(&p, 1, 50) <= 0) continue;
    const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const int server = Connect(target_port_);
    if (server < 0) {
      Abort(client);
      continue;
    }
    ++accepted_;
    auto link = std::make_unique<Link>();
    link->client = client;
    link->server = server;
    Link* l = link.get();
    l->up = std::thread(
        [this, l, s = seed++] { Pump(l, l->client, l->server, s); });
    l->down = std::thread(
        [this, l, s = seed++] { Pump(l, l->server, l->client, s); });
    std::lock_guard<std::mutex> lock(mu_);
    links_.push_back(std::move(link));
  }
}

void FaultProxy::Pump(Link* link, int from, int to, unsigned seed) {
  std::mt19937 random(seed);
  char buffer[64 * 1024];
  // Sleeps `ms`, waking early when the link dies.
  auto wait = [link](int ms) {
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!link->dead && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  };
  while (!link->dead) {
    pollfd p{.fd = from, .events = POLLIN, .revents = 0};
    if (poll(&p, 1, 20) <= 0) continue;
    const ssize_t n = read(from, buffer, sizeof(buffer));
    if (n <= 0) break;
    int delay = delay_ms_;
    if (std::uniform_int_distribution<int>(0, 99)(random) < stall_percent_) {
      delay += stall_ms_;
    }
    wait(delay);
    for (ssize_t sent = 0; sent < n && !link->dead;) {
      const ssize_t w = send(to, buffer + sent, n - sent, MSG_NOSIGNAL);
      if (w <= 0) {
        link->dead = true;
        break;
      }
      sent += w;
    }
  }
  // An end closed (or failed): pass the close on; the other pump stops.
  link->dead = true;
  shutdown(to, SHUT_WR);
}

}  // namespace vigil::testing
