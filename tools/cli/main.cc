// vigil: one executable, one subcommand per job.
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "tools/cli/normalize_command.h"

namespace {

constexpr char kUsage[] =
    "usage: vigil <command> [args]\n"
    "commands:\n"
    "  normalize   normalize posts read line by line from stdin\n"
    "Run 'vigil <command> --help' for a command's options.\n";

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string_view command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "normalize") {
    return vigil::cli::RunNormalize(args, argv[0], std::cin, std::cout,
                                    std::cerr);
  }
  if (command == "-h" || command == "--help" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "vigil: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
