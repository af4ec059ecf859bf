// ConnectionThreads: cpp-httplib's task queue for HttpServer, one thread per
// open connection up to a bound.
//
// cpp-httplib 0.11 serves a connection on one task from accept to close,
// blocking in recv; with a fixed pool of N threads, N clients that send half
// a request and then nothing hold every thread until the read timeout, and
// every other client waits (measured: 8 such connections starved the
// console of an 8-thread pool for as long as they were renewed). Here each
// connection gets a thread of its own, so a slow client holds only its own:
// threads start on demand, up to `max_threads`, and one idle for
// `idle_exit` ends, down to `min_threads`. At `max_threads` connections
// Enqueue() blocks, so the accept loop stops accepting and further clients
// wait in the kernel's listen queue: the bound on connections served.
//
//   server.new_task_queue = [] { return new ConnectionThreads(8, 2048); };
//
// Thread safety: enqueue() from the accept loop; shutdown() once, after it.
#ifndef VIGIL_SERVICE_HTTP_CONNECTION_THREADS_H_
#define VIGIL_SERVICE_HTTP_CONNECTION_THREADS_H_

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace vigil::service {

class ConnectionThreads : public httplib::TaskQueue {
 public:
  // Requires 1 <= min_threads <= max_threads.
  ConnectionThreads(
      int min_threads, int max_threads,
      std::chrono::milliseconds idle_exit = std::chrono::seconds(10));
  ~ConnectionThreads() override;  // shutdown()

  // Runs `task` on an idle thread or a new one; blocks while `max_threads`
  // tasks are running.
  void enqueue(std::function<void()> task) override;
  // Lets queued tasks finish and waits for every thread to end.
  void shutdown() override;

 private:
  void Work();

  const int min_threads_;
  const int max_threads_;
  const std::chrono::milliseconds idle_exit_;
  std::mutex mu_;
  std::condition_variable work_;  // tasks_ not empty, or stopping_
  std::condition_variable room_;  // a thread went idle or ended
  std::deque<std::function<void()>> tasks_;
  int threads_ = 0;  // running Work()
  int idle_ = 0;     // of which waiting for a task
  bool stopping_ = false;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_HTTP_CONNECTION_THREADS_H_
