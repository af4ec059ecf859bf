// Runs the built `vigil` executable as a subprocess, for CLI tests.
#ifndef VIGIL_TESTS_TOOLS_CLI_RUN_VIGIL_H_
#define VIGIL_TESTS_TOOLS_CLI_RUN_VIGIL_H_

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

namespace vigil::testing {

struct Result {
  int exit_code;
  std::string out;
  std::string err;
};

// Runs `vigil ARGS` with `input` on stdin.
inline Result RunVigil(const std::string& args, const std::string& input) {
  // ctest runs tests in parallel processes: name files per test and process.
  const std::string dir =
      ::testing::TempDir() + "/vigil_cli_" +
      ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
      std::to_string(getpid());
  const std::string in_path = dir + "_in.txt";
  const std::string out_path = dir + "_out.txt";
  const std::string err_path = dir + "_err.txt";
  std::ofstream(in_path, std::ios::binary) << input;
  const std::string cmd = std::string(VIGIL_BINARY) + " " + args + " <" +
                          in_path + " >" + out_path + " 2>" + err_path;
  const int status = std::system(cmd.c_str());
  auto slurp = [](const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    std::string contents(std::istreambuf_iterator<char>(f), {});
    std::remove(p.c_str());
    return contents;
  };
  std::remove(in_path.c_str());
  return {WEXITSTATUS(status), slurp(out_path), slurp(err_path)};
}

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_TOOLS_CLI_RUN_VIGIL_H_
