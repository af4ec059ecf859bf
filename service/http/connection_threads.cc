#include "service/http/connection_threads.h"

#include <thread>
#include <utility>

namespace vigil::service {

ConnectionThreads::ConnectionThreads(int min_threads, int max_threads,
                                     std::chrono::milliseconds idle_exit)
    : min_threads_(min_threads),
      max_threads_(max_threads),
      idle_exit_(idle_exit) {}

ConnectionThreads::~ConnectionThreads() { shutdown(); }

void ConnectionThreads::enqueue(std::function<void()> task) {
  std::unique_lock<std::mutex> lock(mu_);
  // Every thread busy and no room for another: wait (the accept loop stops,
  // so new connections queue in the kernel).
  room_.wait(lock, [this] {
    return stopping_ || idle_ > static_cast<int>(tasks_.size()) ||
           threads_ < max_threads_;
  });
  tasks_.push_back(std::move(task));
  if (idle_ >= static_cast<int>(tasks_.size())) {
    work_.notify_one();
    return;
  }
  ++threads_;
  // Detached: shutdown() waits for threads_ to reach zero instead.
  std::thread([this] { Work(); }).detach();
}

void ConnectionThreads::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    ++idle_;
    const bool woken = work_.wait_for(
        lock, idle_exit_, [this] { return stopping_ || !tasks_.empty(); });
    --idle_;
    if (tasks_.empty() && (stopping_ || (!woken && threads_ > min_threads_))) {
      break;
    }
    if (tasks_.empty()) continue;  // idle, but among the min_threads kept
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    task = nullptr;  // its captures go before the thread counts as idle
    lock.lock();
    room_.notify_one();
  }
  --threads_;
  room_.notify_all();
}

void ConnectionThreads::shutdown() {
  std::unique_lock<std::mutex> lock(mu_);
  stopping_ = true;
  work_.notify_all();
  room_.notify_all();
  room_.wait(lock, [this] { return threads_ == 0 && tasks_.empty(); });
}

}  // namespace vigil::service
