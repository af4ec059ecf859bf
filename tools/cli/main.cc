// vigil: one executable, one subcommand per job.
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "tools/cli/commands.h"

namespace {

constexpr char kUsage[] =
    "usage: vigil <command> [args]\n"
    "commands:\n"
    "  serve       run the gRPC server\n"
    "  stats       print a running server's statistics\n"
    "  health      check a running server's gRPC health (exit 0: serving)\n"
    "  loadgen     load a server on loopback; throughput and latency\n"
    "  token       make a bearer token for the server's tokens file\n"
    "  normalize   normalize posts read line by line from stdin\n"
    "  analyze     print a readable verdict for a post: vigil analyze TEXT\n"
    "  classify    JSONL posts in, JSONL verdicts out\n"
    "  eval        precision/recall/F1 on a labeled dataset (vihsd, vihos)\n"
    "  lexicon     lexicon tools: vigil lexicon lint DIR\n"
    "  store       back up or restore a SQLite store: store backup|restore\n"
    "  backtest    what a candidate lexicon would change on stored items\n"
    "  campaigns   how well near-duplicate posts are grouped: campaigns eval\n"
    "  train       fit the learned lexicons on ViHOS\n"
    "  lm          the syllable language model: vigil lm build|eval\n"
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
  if (command == "analyze") {
    return vigil::cli::RunAnalyze(args, argv[0], std::cout, std::cerr);
  }
  if (command == "classify") {
    return vigil::cli::RunClassify(args, argv[0], std::cin, std::cout,
                                   std::cerr);
  }
  if (command == "eval") {
    return vigil::cli::RunEval(args, argv[0], std::cout, std::cerr);
  }
  if (command == "serve") {
    return vigil::cli::RunServe(args, argv[0], std::cout, std::cerr);
  }
  if (command == "loadgen") {
    return vigil::cli::RunLoadgen(args, argv[0], std::cout, std::cerr);
  }
  if (command == "backtest") {
    return vigil::cli::RunBacktest(args, argv[0], std::cout, std::cerr);
  }
  if (command == "campaigns") {
    return vigil::cli::RunCampaigns(args, argv[0], std::cout, std::cerr);
  }
  if (command == "store") {
    return vigil::cli::RunStore(args, argv[0], std::cout, std::cerr);
  }
  if (command == "stats") {
    return vigil::cli::RunStats(args, argv[0], std::cout, std::cerr);
  }
  if (command == "health") {
    return vigil::cli::RunHealth(args, argv[0], std::cout, std::cerr);
  }
  if (command == "token") {
    return vigil::cli::RunToken(args, argv[0], std::cout, std::cerr);
  }
  if (command == "train") {
    return vigil::cli::RunTrain(args, argv[0], std::cout, std::cerr);
  }
  if (command == "lm") {
    return vigil::cli::RunLm(args, argv[0], std::cout, std::cerr);
  }
  if (command == "lexicon") {
    return vigil::cli::RunLexicon(args, argv[0], std::cout, std::cerr);
  }
  if (command == "-h" || command == "--help" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "vigil: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
