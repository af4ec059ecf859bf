// What the HTTP JSON API (the console's) costs next to gRPC for the same
// call: one in-process `vigil` server with a SQLite store holding 200
// flagged posts, and one client of each kind on loopback, each keeping its
// connection open (a gRPC channel; cpp-httplib with keep-alive). Both reach
// the same handler: the HTTP side adds HTTP parsing, JSON <-> protobuf and
// an in-process gRPC hop (see service/http/json_rpc.h).
//
//   build/bench/api_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one line)
//
// Cases (each as Grpc_ and Http_): ListQueue (a page of 25 items, the
// console's queue view), GetItem (one item with its hits, the item view)
// and GetSummary (the stats view's totals); and one post analyzed as gRPC
// Analyze, OpenAI's /v1/moderations and Perspective's comments:analyze
// (the drop-in APIs). VerdictJson/printer:0|1 prints the verdicts of 1,000
// benchmark posts (shipped lexicons) as JSON with protobuf's printer (0)
// and with vigil's (1, service/proto_json.h). Client and server share the
// machine's cores, so the figures are latency of a whole round trip.
#include <benchmark/benchmark.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "analyzers/analyzer.h"
#include "service/proto_json.h"
#include "service/server.h"
#include "service/verdict_proto.h"
#include "tests/service/test_server.h"
#include "tests/test_data.h"
#include "vigil/v1/analysis.grpc.pb.h"
#include "vigil/v1/review.grpc.pb.h"
#include "vigil/v1/stats.grpc.pb.h"

namespace vigil::service {
namespace {

constexpr int kFlaggedPosts = 200;
constexpr int kPageSize = 25;
constexpr char kAnalystToken[] = "bench-analyst";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "api_bench: %s\n", what.c_str());
  std::exit(1);
}

// The server, its clients and an item id, shared by every case.
struct Fixture {
  std::unique_ptr<Server> server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::ReviewService::Stub> review;
  std::unique_ptr<v1::StatsService::Stub> stats;
  std::unique_ptr<httplib::Client> http;
  int64_t item_id = 0;
};

Fixture& Shared() {
  static Fixture* fixture = [] {
    auto* f = new Fixture;
    const std::string tokens =
        "/tmp/vigil_api_bench_tokens_" + std::to_string(getpid());
    testing::WriteTokensFile(tokens, {{"bench-ingest", "ingest", "pipe"},
                                      {kAnalystToken, "analyst", "ann"}});
    ServerOptions options = testing::TestServerOptions();
    options.tokens_path = tokens;
    options.http_listen = "127.0.0.1:0";
    auto server = Server::Start(options);
    std::remove(tokens.c_str());  // read at start
    if (!server.ok()) Die(server.status().ToString());
    f->server = *std::move(server);
    f->channel =
        grpc::CreateChannel("127.0.0.1:" + std::to_string(f->server->port()),
                            grpc::InsecureChannelCredentials());
    f->review = v1::ReviewService::NewStub(f->channel);
    f->stats = v1::StatsService::NewStub(f->channel);
    auto analysis = v1::AnalysisService::NewStub(f->channel);
    for (int i = 0; i < kFlaggedPosts; ++i) {
      grpc::ClientContext context;
      context.AddMetadata("authorization", "Bearer bench-ingest");
      v1::AnalyzeRequest request;
      request.mutable_post()->set_source("bench");
      request.mutable_post()->set_id(std::to_string(i));
      request.mutable_post()->set_text("Thằng ngu vcl, đồ óc chó " +
                                       std::to_string(i) + " cút đi");
      v1::AnalyzeResponse response;
      grpc::Status status = analysis->Analyze(&context, request, &response);
      if (!status.ok()) Die("Analyze: " + status.error_message());
      if (!response.verdict().flagged()) Die("a seed post was not flagged");
    }
    {
      grpc::ClientContext context;
      context.AddMetadata("authorization",
                          std::string("Bearer ") + kAnalystToken);
      v1::ListQueueRequest request;
      request.set_page_size(1);
      v1::ListQueueResponse response;
      grpc::Status status = f->review->ListQueue(&context, request, &response);
      if (!status.ok() || response.items_size() != 1) Die("ListQueue failed");
      f->item_id = response.items(0).item_id();
    }
    f->http =
        std::make_unique<httplib::Client>("127.0.0.1", f->server->http_port());
    f->http->set_keep_alive(true);
    f->http->set_tcp_nodelay(true);  // as browsers and curl do
    return f;
  }();
  return *fixture;
}

// POST `path` with `headers` and `body` per iteration; fails unless 200.
void HttpPost(benchmark::State& state, const std::string& path,
              const httplib::Headers& headers, const std::string& body) {
  Fixture& f = Shared();
  size_t bytes = 0;
  for (auto _ : state) {
    auto result = f.http->Post(path, headers, body, "application/json");
    if (!result || result->status != 200) {
      state.SkipWithError(("HTTP " + path + " failed").c_str());
      return;
    }
    bytes += result->body.size();
  }
  state.counters["response_bytes"] =
      static_cast<double>(bytes) / static_cast<double>(state.iterations());
}

// POST /api/vigil.v1.<method> with the analyst's token.
void HttpCall(benchmark::State& state, const std::string& method,
              const std::string& body) {
  HttpPost(state, "/api/vigil.v1." + method,
           {{"Authorization", std::string("Bearer ") + kAnalystToken}}, body);
}

// Runs `call(context, &response)` per iteration with the analyst's token.
template <typename Response, typename Call>
void GrpcCall(benchmark::State& state, Call call) {
  size_t bytes = 0;
  for (auto _ : state) {
    grpc::ClientContext context;
    context.AddMetadata("authorization",
                        std::string("Bearer ") + kAnalystToken);
    Response response;
    grpc::Status status = call(&context, &response);
    if (!status.ok()) {
      state.SkipWithError(status.error_message().c_str());
      return;
    }
    bytes += response.ByteSizeLong();
  }
  state.counters["response_bytes"] =
      static_cast<double>(bytes) / static_cast<double>(state.iterations());
}

void BM_Grpc_ListQueue(benchmark::State& state) {
  Fixture& f = Shared();
  v1::ListQueueRequest request;
  request.set_page_size(kPageSize);
  GrpcCall<v1::ListQueueResponse>(state, [&](auto* context, auto* response) {
    return f.review->ListQueue(context, request, response);
  });
}
void BM_Http_ListQueue(benchmark::State& state) {
  HttpCall(state, "ReviewService/ListQueue",
           "{\"page_size\":" + std::to_string(kPageSize) + "}");
}

void BM_Grpc_GetItem(benchmark::State& state) {
  Fixture& f = Shared();
  v1::GetItemRequest request;
  request.set_item_id(f.item_id);
  GrpcCall<v1::ReviewItem>(state, [&](auto* context, auto* response) {
    return f.review->GetItem(context, request, response);
  });
}
void BM_Http_GetItem(benchmark::State& state) {
  HttpCall(state, "ReviewService/GetItem",
           "{\"item_id\":\"" + std::to_string(Shared().item_id) + "\"}");
}

void BM_Grpc_GetSummary(benchmark::State& state) {
  Fixture& f = Shared();
  GrpcCall<v1::GetSummaryResponse>(state, [&](auto* context, auto* response) {
    return f.stats->GetSummary(context, {}, response);
  });
}
void BM_Http_GetSummary(benchmark::State& state) {
  HttpCall(state, "StatsService/GetSummary", "{}");
}

// The drop-in APIs (service/http/dropin_api.h) next to the gRPC call they
// make: one post analyzed, not stored, with the ingest token.
constexpr char kPost[] = "Thằng ngu vcl, đồ óc chó cút đi";

void BM_Grpc_Analyze(benchmark::State& state) {
  Fixture& f = Shared();
  auto analysis = v1::AnalysisService::NewStub(f.channel);
  v1::AnalyzeRequest request;
  request.mutable_post()->set_text(kPost);
  request.set_dry_run(true);
  size_t bytes = 0;
  for (auto _ : state) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer bench-ingest");
    v1::AnalyzeResponse response;
    grpc::Status status = analysis->Analyze(&context, request, &response);
    if (!status.ok()) {
      state.SkipWithError(status.error_message().c_str());
      return;
    }
    bytes += response.ByteSizeLong();
  }
  state.counters["response_bytes"] =
      static_cast<double>(bytes) / static_cast<double>(state.iterations());
}
void BM_Http_OpenAiModerations(benchmark::State& state) {
  HttpPost(state, "/v1/moderations", {{"Authorization", "Bearer bench-ingest"}},
           std::string(R"({"model": "omni-moderation-latest", "input": ")") +
               kPost + "\"}");
}
void BM_Http_PerspectiveAnalyze(benchmark::State& state) {
  HttpPost(state, "/v1alpha1/comments:analyze?key=bench-ingest", {},
           std::string(R"({"comment": {"text": ")") + kPost +
               R"("}, "requestedAttributes": {"TOXICITY": {}, "INSULT": {}},)"
               R"( "spanAnnotations": true, "doNotStore": true})");
}

// The verdicts of the first 1,000 benchmark posts, shipped lexicons.
const std::vector<v1::Verdict>& BenchVerdicts() {
  static const auto* verdicts = [] {
    auto analyzer = Analyzer::Load(testing::SourcePath("lexicons"));
    if (!analyzer.ok()) Die(std::string(analyzer.status().message()));
    auto* out = new std::vector<v1::Verdict>();
    const auto& posts = testing::BenchmarkPosts();
    for (size_t i = 0; i < posts.size() && i < 1000; ++i) {
      ToProto(**analyzer, (*analyzer)->Analyze(posts[i]), &out->emplace_back());
    }
    return out;
  }();
  return *verdicts;
}

void BM_VerdictJson(benchmark::State& state) {
  const auto& verdicts = BenchVerdicts();
  const bool direct = state.range(0) == 1;
  size_t bytes = 0;
  for (auto _ : state) {
    for (const v1::Verdict& v : verdicts) {
      absl::StatusOr<std::string> json =
          direct ? MessageJson(v) : ProtobufMessageJson(v);
      if (!json.ok()) Die(std::string(json.status().message()));
      bytes += json->size();
      benchmark::DoNotOptimize(json->data());
    }
  }
  state.SetItemsProcessed(state.iterations() * verdicts.size());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_VerdictJson)
    ->ArgName("printer")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

BENCHMARK(BM_Grpc_ListQueue)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Http_ListQueue)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Grpc_GetItem)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Http_GetItem)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Grpc_GetSummary)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Http_GetSummary)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Grpc_Analyze)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Http_OpenAiModerations)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Http_PerspectiveAnalyze)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vigil::service

BENCHMARK_MAIN();
