// The vigil subcommands. Each takes its arguments (after the command name),
// argv[0] (to find the shipped lexicons), and the streams to use; each
// returns the process exit code: 0 ok, 1 runtime or data error, 2 usage.
#ifndef VIGIL_TOOLS_CLI_COMMANDS_H_
#define VIGIL_TOOLS_CLI_COMMANDS_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace vigil::cli {

// `vigil normalize`: one canonical line per input line.
int RunNormalize(const std::vector<std::string>& args, const char* argv0,
                 std::istream& in, std::ostream& out, std::ostream& err);

// `vigil analyze TEXT...`: a readable verdict with the hits highlighted.
int RunAnalyze(const std::vector<std::string>& args, const char* argv0,
               std::ostream& out, std::ostream& err);

// `vigil classify --input FILE --output FILE`: JSONL in, JSONL verdicts out.
int RunClassify(const std::vector<std::string>& args, const char* argv0,
                std::istream& in, std::ostream& out, std::ostream& err);

// `vigil eval FILE...`: precision, recall and F1 on labeled datasets,
// cross-fitted with --crossfit K.
int RunEval(const std::vector<std::string>& args, const char* argv0,
            std::ostream& out, std::ostream& err);

// `vigil train`: fits the learned lexicons and writes their model card.
int RunTrain(const std::vector<std::string>& args, const char* argv0,
             std::ostream& out, std::ostream& err);

// `vigil serve`: the gRPC server.
int RunServe(const std::vector<std::string>& args, const char* argv0,
             std::ostream& out, std::ostream& err);

// `vigil token`: a new bearer token and its tokens-file line.
int RunToken(const std::vector<std::string>& args, const char* argv0,
             std::ostream& out, std::ostream& err);

// `vigil loadgen`: drives a local server's AnalysisService at a fixed
// concurrency or rate and prints throughput and latency.
int RunLoadgen(const std::vector<std::string>& args, const char* argv0,
               std::ostream& out, std::ostream& err);

// `vigil stats`: a server's flag statistics for a time range.
int RunStats(const std::vector<std::string>& args, const char* argv0,
             std::ostream& out, std::ostream& err);

// vigil health: checks a server's gRPC health service (exit 0: SERVING).
int RunHealth(const std::vector<std::string>& args, const char* argv0,
              std::ostream& out, std::ostream& err);

// `vigil lm build|eval`: builds the syllable language model from corpora,
// or measures its diacritic restoration on labeled datasets.
int RunLm(const std::vector<std::string>& args, const char* argv0,
          std::ostream& out, std::ostream& err);

// `vigil backtest`: what a candidate lexicon directory would change on the
// items of a review store.
int RunBacktest(const std::vector<std::string>& args, const char* argv0,
                std::ostream& out, std::ostream& err);

// `vigil campaigns eval`: how well near-duplicate posts are grouped, on
// generated campaigns mixed with unrelated flagged posts.
int RunCampaigns(const std::vector<std::string>& args, const char* argv0,
                 std::ostream& out, std::ostream& err);

// `vigil lexicon lint DIR`: every problem of a lexicon directory.
int RunLexicon(const std::vector<std::string>& args, const char* argv0,
               std::ostream& out, std::ostream& err);

// `vigil store backup|restore`: a SQLite store's backups
// (service/store/backup.h); PostgreSQL stores get the pg_dump commands.
int RunStore(const std::vector<std::string>& args, const char* argv0,
             std::ostream& out, std::ostream& err);

}  // namespace vigil::cli

#endif  // VIGIL_TOOLS_CLI_COMMANDS_H_
