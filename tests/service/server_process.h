// `vigil serve` in a child process, for tests that kill it or limit it.
#ifndef VIGIL_TESTS_SERVICE_SERVER_PROCESS_H_
#define VIGIL_TESTS_SERVICE_SERVER_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace vigil::testing {

class ServerProcess {
 public:
  struct Options {
    std::string store_url;
    std::string log_path;  // the server's stderr
    // > 0: the server may not write files larger than this (RLIMIT_FSIZE,
    // with SIGXFSZ ignored, so writes fail as on a full disk).
    long file_size_limit_kb = 0;
    // The gRPC address (a fixed port to restart on the same one).
    std::string listen = "127.0.0.1:0";
    // More `vigil serve` flags.
    std::vector<std::string> extra_args = {};
  };

  // Starts the server on a free loopback port and waits (up to 6 s) until
  // it serves; port() is 0 when it did not.
  explicit ServerProcess(const Options& options);
  ~ServerProcess() { Kill(); }

  int port() const { return port_; }
  // The child's process id (-1 once reaped).
  pid_t pid() const { return pid_; }
  // SIGKILL, then reaps it.
  void Kill();
  // SIGTERM (a graceful drain), then reaps it; true when it exited 0.
  bool Stop();

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_SERVICE_SERVER_PROCESS_H_
