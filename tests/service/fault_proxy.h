// FaultProxy: a loopback TCP proxy that puts a sick link between a client
// and a server, for tests (here: vigil and its PostgreSQL).
//
//   auto proxy = FaultProxy::Start(5432);   // listens on 127.0.0.1:port()
//   proxy->SetFaults({.delay_ms = 50});     // 100 ms more per round trip
//   proxy->SetFaults({.stall_percent = 5, .stall_ms = 600});
//   proxy->ResetAll();                      // every connection gets a RST
//
// Each connection is pumped by one thread per direction, which forwards
// each chunk it reads after the configured delay, in order. A proxy above
// TCP cannot drop a segment (the kernels below it retransmit); what a lost
// segment costs the endpoints is a stall of a retransmission timeout, and
// that is what `stall_percent` models: that share of chunks waits
// `stall_ms` more. Resets close both sides with SO_LINGER 0, so each end
// sees ECONNRESET, as when a middlebox drops its state.
//
// Thread safety: every method may be called from any thread.
#ifndef VIGIL_TESTS_SERVICE_FAULT_PROXY_H_
#define VIGIL_TESTS_SERVICE_FAULT_PROXY_H_

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/base/thread_annotations.h"

namespace vigil::testing {

class FaultProxy {
 public:
  struct Faults {
    int delay_ms = 0;       // added to every chunk, each way
    int stall_percent = 0;  // chunks that also wait stall_ms
    int stall_ms = 0;
  };

  // Listens on a free loopback port and forwards to 127.0.0.1:target_port;
  // null when it cannot listen.
  static std::unique_ptr<FaultProxy> Start(int target_port);
  ~FaultProxy();  // Resets every connection and stops.

  int port() const { return port_; }
  void SetFaults(const Faults& faults);
  // Resets every open connection (new ones are accepted as before).
  void ResetAll();
  // Connections accepted and reset so far.
  int accepted() const { return accepted_; }
  int resets() const { return resets_; }

 private:
  struct Link;
  FaultProxy() = default;
  void AcceptLoop();
  void Pump(Link* link, int from, int to, unsigned seed);

  int listen_fd_ = -1;
  int port_ = 0;
  int target_port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int> resets_{0};
  std::atomic<int> delay_ms_{0};
  std::atomic<int> stall_percent_{0};
  std::atomic<int> stall_ms_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::list<std::unique_ptr<Link>> links_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_SERVICE_FAULT_PROXY_H_
