#include "tests/service/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/test_data.h"

extern char** environ;

namespace vigil::testing {

ServerProcess::ServerProcess(const Options& options) {
  const std::string lexicons = SourcePath("tests/fixtures/lexicon");
  std::vector<std::string> args = {
      VIGIL_BINARY,       "serve",       "--listen",      options.listen,
      "--lexicons",       lexicons,      "--store",       options.store_url,
      "--metrics-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0"};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  if (options.file_size_limit_kb > 0) {
    // bash sets the limit and ignores SIGXFSZ; exec keeps both.
    std::string command = "trap '' XFSZ; ulimit -f " +
                          std::to_string(options.file_size_limit_kb) +
                          "; exec \"$@\"";
    args.insert(args.begin(), {"/bin/bash", "-c", command, "vigil"});
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, options.log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) !=
      0) {
    pid_ = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  // Wait for " port=N" in its log.
  for (int i = 0; i < 300 && pid_ > 0 && port_ == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::ifstream in(options.log_path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string log = text.str();
    const size_t at = log.find(" port=");
    if (at != std::string::npos) port_ = std::atoi(log.c_str() + at + 6);
  }
}

bool ServerProcess::Stop() {
  if (pid_ <= 0) return false;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace vigil::testing
