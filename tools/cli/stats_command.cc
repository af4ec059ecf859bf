// `vigil stats`: prints a running server's statistics summary
// (vigil.v1.StatsService/GetSummary) as a table.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "analyzers/match/category.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "vigil/v1/stats.grpc.pb.h"

namespace vigil::cli {
namespace {

constexpr char kUsage[] =
    "usage: vigil stats [--target HOST:PORT] [--since DURATION] [--source S]\n"
    "                   [--tls-ca PEM]\n"
    "Prints the statistics of a running vigil server: posts analyzed and\n"
    "flagged, flags per category, per source, the review queue by status,\n"
    "analysts' decisions with the precision of each category, and what the\n"
    "quality sample estimates: prevalence among unflagged posts and recall.\n"
    "--target defaults to 127.0.0.1:50051; --since is how far back to count\n"
    "(30m, 24h, 7d; default 24h). The bearer token (viewer, analyst or admin)\n"
    "is read from $VIGIL_TOKEN. --tls-ca PEM connects with TLS.\n";

void PrintCounts(const v1::Counts& counts, std::ostream& out) {
  out << "  posts analyzed  " << counts.posts_analyzed() << "\n"
      << "  posts flagged   " << counts.posts_flagged();
  if (counts.posts_analyzed() > 0) {
    out << " (" << std::fixed << std::setprecision(2)
        << 100.0 * counts.posts_flagged() / counts.posts_analyzed() << "%)";
  }
  out << "\n";
  for (std::string_view name : match::kCategoryNames) {
    auto it = counts.flags_by_category().find(std::string(name));
    const int64_t n = it == counts.flags_by_category().end() ? 0 : it->second;
    out << "    " << std::left << std::setw(12) << name << std::right << n
        << "\n";
  }
}

// A 30 s deadline and the bearer token from $VIGIL_TOKEN.
void PrepareCall(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(30));
  if (const char* token = std::getenv("VIGIL_TOKEN"); token && *token) {
    context->AddMetadata("authorization", std::string("Bearer ") + token);
  }
}

// "0.012 [0.004, 0.031]", or "-" when absent.
std::string Estimate(bool has, double value, double low, double high) {
  if (!has) return "-";
  std::ostringstream s;
  s << std::fixed << std::setprecision(3) << value << " [" << low << ", "
    << high << "]";
  return s.str();
}

// The first `max_bytes` of `text` on one line, cut at a character's start.
std::string Snippet(const std::string& text, size_t max_bytes) {
  std::string one_line = text;
  std::replace(one_line.begin(), one_line.end(), '\n', ' ');
  if (one_line.size() <= max_bytes) return one_line;
  size_t end = max_bytes;
  while (end > 0 &&
         (static_cast<unsigned char>(one_line[end]) & 0xC0) == 0x80) {
    --end;
  }
  return one_line.substr(0, end) + "...";
}

void PrintCampaigns(const v1::CampaignSummary& c, std::ostream& out) {
  out << "campaigns now: " << c.clusters() << " clusters holding "
      << c.clustered_items() << " items, the largest " << c.largest() << "\n";
  auto print =
      [&out](const char* title,
             const google::protobuf::RepeatedPtrField<v1::Cluster>& clusters) {
        if (clusters.empty()) return;
        out << title << "\n";
        for (const v1::Cluster& cluster : clusters) {
          std::string categories;
          for (const std::string& name : cluster.categories()) {
            categories += (categories.empty() ? "" : ",") + name;
          }
          out << "  #" << cluster.cluster_id() << "  " << cluster.size()
              << " items (" << cluster.open_count() << " open, +"
              << cluster.growth() << " this hour and the last)  " << categories;
          if (cluster.samples_size() > 0) {
            out << "  \"" << Snippet(cluster.samples(0).text(), 60) << "\"";
          }
          out << "\n";
        }
      };
  print("largest campaigns:", c.top_by_size());
  print("growing campaigns:", c.top_by_growth());
}

void PrintSample(const v1::GetSampleEstimatesResponse& sample,
                 std::ostream& out) {
  out << "quality sample: " << sample.sampled() << " sampled of "
      << sample.unflagged() << " unflagged posts, " << sample.labeled()
      << " labeled\n";
  if (sample.labeled() == 0) return;
  out << "  category     harmful  prevalence [95%]        recall [95%]\n";
  for (const v1::SampleEstimate& e : sample.categories()) {
    out << "  " << std::left << std::setw(12) << e.category() << std::right
        << std::setw(8) << e.labeled_harmful() << "  " << std::left
        << std::setw(24)
        << Estimate(e.has_prevalence(), e.prevalence(), e.prevalence_low(),
                    e.prevalence_high())
        << std::right
        << Estimate(e.has_recall(), e.recall(), e.recall_low(), e.recall_high())
        << "\n";
  }
}

}  // namespace

int RunStats(const std::vector<std::string>& args, const char*,
             std::ostream& out, std::ostream& err) {
  ParsedFlags flags = ParseFlags(
      args, {"--target", "--since", "--source", "--tls-ca"}, {"-h", "--help"});
  if (flags.Has("-h") || flags.Has("--help")) {
    out << kUsage;
    return 0;
  }
  const int64_t since = ParseDurationSeconds(flags.Get("--since", "24h"));
  if (since == 0) flags.Fail("--since takes a duration such as 30m, 24h or 7d");
  if (flags.ReportUsageError("stats", kUsage, err)) return 2;
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::InsecureChannelCredentials();
  if (!flags.Get("--tls-ca").empty()) {
    std::ifstream in(flags.Get("--tls-ca"));
    if (!in) {
      err << "vigil stats: cannot read " << flags.Get("--tls-ca") << "\n";
      return 2;
    }
    std::stringstream pem;
    pem << in.rdbuf();
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = pem.str();
    credentials = grpc::SslCredentials(ssl);
  }
  const std::string target = flags.Get("--target", "127.0.0.1:50051");
  auto stub =
      v1::StatsService::NewStub(grpc::CreateChannel(target, credentials));
  grpc::ClientContext context;
  PrepareCall(&context);
  v1::GetSummaryRequest request;
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  request.mutable_filter()->mutable_start()->set_seconds(now - since);
  request.mutable_filter()->set_source(flags.Get("--source"));
  v1::GetSummaryResponse summary;
  const grpc::Status status = stub->GetSummary(&context, request, &summary);
  if (!status.ok()) {
    err << "vigil stats: " << target << ": " << status.error_message()
        << " (code " << status.error_code() << ")\n";
    return 1;
  }
  out << "last " << flags.Get("--since", "24h")
      << (flags.Get("--source").empty() ? ""
                                        : ", source " + flags.Get("--source"))
      << "\n";
  PrintCounts(summary.total(), out);
  if (summary.by_source_size() > 1) {
    out << "by source:\n";
    for (const auto& s : summary.by_source()) {
      out << "  " << std::left << std::setw(16)
          << (s.source().empty() ? "(none)" : s.source()) << std::right
          << s.counts().posts_analyzed() << " analyzed, "
          << s.counts().posts_flagged() << " flagged\n";
    }
  }
  out << "review queue now:\n";
  for (const char* name :
       {"open", "claimed", "escalated", "actioned", "dismissed"}) {
    auto it = summary.queue_by_status().find(name);
    out << "  " << std::left << std::setw(12) << name << std::right
        << (it == summary.queue_by_status().end() ? 0 : it->second) << "\n";
  }
  out << "decisions (actioned / dismissed / escalated, precision):\n";
  for (const v1::Outcome& o : summary.outcomes()) {
    if (o.actioned() + o.dismissed() + o.escalated() == 0) continue;
    out << "  " << std::left << std::setw(12) << o.category() << std::right
        << o.actioned() << " / " << o.dismissed() << " / " << o.escalated();
    if (o.has_precision()) {
      out << "  " << std::fixed << std::setprecision(3) << o.precision();
    }
    out << "\n";
  }
  PrintCampaigns(summary.campaigns(), out);
  // What the quality sample says (vigil serve --sample-rate).
  grpc::ClientContext sample_context;
  PrepareCall(&sample_context);
  v1::GetSampleEstimatesRequest sample_request;
  *sample_request.mutable_filter() = request.filter();
  v1::GetSampleEstimatesResponse sample;
  const grpc::Status sample_status =
      stub->GetSampleEstimates(&sample_context, sample_request, &sample);
  if (!sample_status.ok()) {
    err << "vigil stats: " << target << ": " << sample_status.error_message()
        << " (code " << sample_status.error_code() << ")\n";
    return 1;
  }
  PrintSample(sample, out);
  return 0;
}

}  // namespace vigil::cli
