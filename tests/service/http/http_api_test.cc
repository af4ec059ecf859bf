// The HTTP JSON API: the same handlers as gRPC (same answers, roles and
// metrics), proto3 JSON in and out, HTTP status codes, bad requests, and
// the console's static files.
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "service/auth.h"
#include "service/http/json_rpc.h"
#include "service/server.h"
#include "tests/service/http_get.h"
#include "tests/service/test_server.h"
#include "vigil/v1/admin.pb.h"
#include "vigil/v1/analysis.grpc.pb.h"
#include "vigil/v1/review.grpc.pb.h"

namespace vigil::service {
namespace {

using ::testing::HasSubstr;
using testing::HttpRequest;
using testing::HttpResponse;
using ::testing::Not;

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokens_path_ =
        ::testing::TempDir() + "/vigil_http_tokens_" + std::to_string(getpid());
    testing::WriteTokensFile(tokens_path_, {{"tok-ingest", "ingest", "pipe"},
                                            {"tok-analyst", "analyst", "ann"},
                                            {"tok-analyst2", "analyst", "bob"},
                                            {"tok-viewer", "viewer", "vic"},
                                            {"tok-admin", "admin", "root"}});
    ServerOptions options = testing::TestServerOptions();
    options.tokens_path = tokens_path_;
    options.http_listen = "127.0.0.1:0";
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_GT(server_->http_port(), 0);
    auto channel = testing::LoopbackChannel(server_->port());
    analysis_ = v1::AnalysisService::NewStub(channel);
    review_ = v1::ReviewService::NewStub(channel);
    // Two flagged posts.
    for (const char* text : {"Thằng ngu vcl", "óc chó thật"}) {
      grpc::ClientContext context;
      context.AddMetadata("authorization", "Bearer tok-ingest");
      v1::AnalyzeRequest request;
      request.mutable_post()->set_id(text);
      request.mutable_post()->set_text(text);
      v1::AnalyzeResponse response;
      ASSERT_TRUE(analysis_->Analyze(&context, request, &response).ok());
      ASSERT_TRUE(response.verdict().flagged()) << text;
    }
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
    unlink(tokens_path_.c_str());
  }

  HttpResponse Post(const std::string& path, const std::string& body,
                    const std::string& token) {
    const std::string headers =
        "Content-Type: application/json\r\n" +
        (token.empty() ? "" : "Authorization: Bearer " + token + "\r\n");
    return HttpRequest(server_->http_port(), "POST", "/api/" + path, headers,
                       body);
  }

  std::string tokens_path_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::AnalysisService::Stub> analysis_;
  std::unique_ptr<v1::ReviewService::Stub> review_;
};

TEST_F(HttpApiTest, AnswersAsGrpcDoes) {
  const HttpResponse http = Post("vigil.v1.ReviewService/ListQueue",
                                 R"({"page_size": 10})", "tok-analyst");
  ASSERT_EQ(http.status, 200) << http.body;
  EXPECT_THAT(http.headers, HasSubstr("application/json"));
  EXPECT_THAT(http.headers, HasSubstr("Cache-Control: no-store"));
  v1::ListQueueResponse from_http;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(http.body, &from_http).ok());
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer tok-analyst");
  v1::ListQueueRequest request;
  request.set_page_size(10);
  v1::ListQueueResponse from_grpc;
  ASSERT_TRUE(review_->ListQueue(&context, request, &from_grpc).ok());
  ASSERT_EQ(from_grpc.items_size(), 2);
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(from_http, from_grpc))
      << from_http.DebugString() << "\nvs\n"
      << from_grpc.DebugString();
  // Fields at their defaults are printed, enums by name, spans in code
  // points for the console.
  EXPECT_THAT(http.body, HasSubstr(R"("status":"ITEM_STATUS_OPEN")"));
  EXPECT_THAT(http.body, HasSubstr(R"("claimed_by":"")"));
  EXPECT_THAT(http.body, HasSubstr(R"("begin_char":)"));
}

// Every field of `descriptor` (and of the messages it holds, once each)
// whose lowerCamelCase JSON name differs from its .proto name.
void CamelCaseNames(const google::protobuf::Descriptor* descriptor,
                    std::set<std::string>* seen,
                    std::vector<std::string>* out) {
  if (!seen->insert(descriptor->full_name()).second) return;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    if (field->json_name() != field->name()) out->push_back(field->json_name());
    if (field->message_type() != nullptr) {
      CamelCaseNames(field->message_type(), seen, out);
    }
  }
}

// One JSON shape (service/proto_json.h): the HTTP body is the gRPC answer
// printed with the .proto's field names, the printer `vigil classify`
// uses, so a verdict reads the same everywhere. Requests may still use the
// lowerCamelCase names.
TEST_F(HttpApiTest, PrintsTheProtoFieldNamesAndReadsBothSpellings) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer tok-analyst");
  v1::GetItemRequest request;
  request.set_item_id(1);
  v1::ReviewItem from_grpc;
  ASSERT_TRUE(review_->GetItem(&context, request, &from_grpc).ok());
  std::vector<std::string> camel;
  std::set<std::string> seen;
  CamelCaseNames(v1::ReviewItem::descriptor(), &seen, &camel);
  ASSERT_GT(camel.size(), 10u);
  for (const char* body : {R"({"item_id": 1})", R"({"itemId": 1})"}) {
    const HttpResponse http =
        Post("vigil.v1.ReviewService/GetItem", body, "tok-analyst");
    ASSERT_EQ(http.status, 200) << body << ": " << http.body;
    v1::ReviewItem from_http;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(http.body, &from_http)
            .ok());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(from_http,
                                                                   from_grpc))
        << body;
    for (const char* name :
         {"\"item_id\":", "\"flagged_categories\":", "\"begin_char\":",
          "\"last_flagged_at\":", "\"lexicon_version\":", "\"claimed_by\":"}) {
      EXPECT_THAT(http.body, HasSubstr(name)) << body;
    }
    for (const std::string& name : camel) {
      EXPECT_THAT(http.body, Not(HasSubstr("\"" + name + "\":")))
          << body << " prints " << name;
    }
  }
}

TEST_F(HttpApiTest, RolesAreTheGrpcRoles) {
  struct Case {
    std::string path;
    std::string body;
    std::string token;
    int status;
  };
  const std::vector<Case> cases = {
      {"vigil.v1.ReviewService/ListQueue", "{}", "", 401},
      {"vigil.v1.ReviewService/ListQueue", "{}", "nope", 401},
      {"vigil.v1.ReviewService/ListQueue", "{}", "tok-ingest", 403},
      {"vigil.v1.ReviewService/ListQueue", "{}", "tok-viewer", 403},
      {"vigil.v1.ReviewService/ListQueue", "{}", "tok-analyst", 200},
      {"vigil.v1.ReviewService/GetItem", R"({"item_id": 1})", "", 401},
      {"vigil.v1.ReviewService/GetItem", R"({"item_id": 1})", "tok-viewer",
       403},
      {"vigil.v1.ReviewService/Claim", R"({"item_id": 1})", "tok-viewer", 403},
      {"vigil.v1.ReviewService/Decide",
       R"({"item_id": 1, "decision": "DECISION_ACTIONED"})", "tok-viewer", 403},
      {"vigil.v1.StatsService/GetSummary", "{}", "", 401},
      {"vigil.v1.StatsService/GetSummary", "{}", "tok-ingest", 403},
      {"vigil.v1.StatsService/GetSummary", "{}", "tok-viewer", 200},
      {"vigil.v1.StatsService/GetTopTerms", "{}", "tok-viewer", 200},
      {"vigil.v1.StatsService/GetReviewOutcomes", "{}", "tok-analyst", 200},
      {"vigil.v1.StatsService/GetSampleEstimates", "{}", "tok-viewer", 200},
      {"vigil.v1.StatsService/GetSampleEstimates", "{}", "tok-ingest", 403},
      {"vigil.v1.ReviewService/ListQueue",
       R"({"filter": {"queue": "QUEUE_SAMPLE"}})", "tok-analyst", 200},
  };
  for (const Case& c : cases) {
    const HttpResponse r = Post(c.path, c.body, c.token);
    EXPECT_EQ(r.status, c.status)
        << c.path << " with '" << c.token << "': " << r.body;
    if (c.status != 200) {
      EXPECT_THAT(r.body, HasSubstr(R"("code":)"));
      EXPECT_THAT(r.body, ::testing::Not(HasSubstr("items")));
    }
  }
  // The item was neither claimed nor decided by the refused calls.
  const HttpResponse item = Post("vigil.v1.ReviewService/GetItem",
                                 R"({"item_id": 1})", "tok-analyst");
  ASSERT_EQ(item.status, 200) << item.body;
  EXPECT_THAT(item.body, HasSubstr(R"("status":"ITEM_STATUS_OPEN")"));
}

TEST_F(HttpApiTest, ClaimAndDecideShareTheWorkflowWithGrpc) {
  const HttpResponse claimed =
      Post("vigil.v1.ReviewService/Claim", R"({"item_id": 1})", "tok-analyst");
  ASSERT_EQ(claimed.status, 200) << claimed.body;
  EXPECT_THAT(claimed.body, HasSubstr(R"("claimed_by":"ann")"));
  // Another analyst, over gRPC, cannot take it.
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer tok-analyst2");
  v1::ClaimRequest claim;
  claim.set_item_id(1);
  v1::ReviewItem item;
  const grpc::Status taken = review_->Claim(&context, claim, &item);
  EXPECT_EQ(taken.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Nor decide it over HTTP: 409 with the workflow's message.
  const HttpResponse other = Post(
      "vigil.v1.ReviewService/Decide",
      R"({"item_id": 1, "decision": "DECISION_DISMISSED"})", "tok-analyst2");
  EXPECT_EQ(other.status, 409) << other.body;
  EXPECT_THAT(other.body, HasSubstr("FAILED_PRECONDITION"));
  const HttpResponse decided = Post(
      "vigil.v1.ReviewService/Decide",
      R"({"item_id": 1, "decision": "DECISION_ACTIONED", "reason": "xúc phạm"})",
      "tok-analyst");
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_THAT(decided.body, HasSubstr(R"("status":"ITEM_STATUS_ACTIONED")"));
  EXPECT_THAT(decided.body, HasSubstr(R"("decision_reason":"xúc phạm")"));
  const HttpResponse history = Post("vigil.v1.ReviewService/GetHistory",
                                    R"({"item_id": "1"})", "tok-analyst");
  ASSERT_EQ(history.status, 200) << history.body;
  EXPECT_THAT(history.body, HasSubstr("EVENT_KIND_DECIDED"));
  const HttpResponse missing = Post("vigil.v1.ReviewService/GetItem",
                                    R"({"item_id": 999})", "tok-analyst");
  EXPECT_EQ(missing.status, 404) << missing.body;
  // HTTP calls are the gRPC handlers' calls: they count in the same metric.
  EXPECT_THAT(server_->metrics().Render(),
              HasSubstr(R"(vigil_rpcs_total{code="0",method="Decide"} 1)"));
}

TEST_F(HttpApiTest, BadRequestsGetClearErrors) {
  struct Case {
    std::string method;
    std::string path;
    std::string body;
    int status;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"POST", "/api/vigil.v1.ReviewService/ListQueue", "{not json", 400,
       "not a vigil.v1.ListQueueRequest"},
      {"POST", "/api/vigil.v1.ReviewService/ListQueue", R"({"page_size":"x"})",
       400, "page_size"},
      {"POST", "/api/vigil.v1.ReviewService/ListQueue", R"({"bogus": 1})", 400,
       "bogus"},
      {"POST", "/api/vigil.v1.ReviewService/ListQueue",
       "{\"filter\":{\"source\":\"\xff\xfe\"}}", 400, "INVALID_ARGUMENT"},
      {"POST", "/api/vigil.v1.ReviewService/Nope", "{}", 404, "no method"},
      {"POST", "/api/vigil.v1.AnalysisService/Analyze", "{}", 404,
       "no method"},
      {"POST", "/api/vigil.v1.AdminService/ReloadLexicons", "{}", 403,
       "PERMISSION_DENIED"},
      {"POST", "/api/vigil.v1.AnalysisService/AnalyzeStream", "{}", 404,
       "no method"},
      {"POST", "/api/too/many/parts", "{}", 404, "/api/<service>/<method>"},
      {"GET", "/api/vigil.v1.ReviewService/ListQueue", "", 405, "POST"},
      {"POST", "/api/vigil.v1.ReviewService/ListQueue",
       std::string(2 << 20, ' '), 413, "over"},
      {"DELETE", "/", "", 405, "not allowed"},
      {"GET", "/secret.txt", "", 404, "not found"},
  };
  for (const Case& c : cases) {
    const HttpResponse r =
        HttpRequest(server_->http_port(), c.method, c.path,
                    "Authorization: Bearer tok-analyst\r\n", c.body);
    EXPECT_EQ(r.status, c.status)
        << c.method << " " << c.path << ": " << r.body;
    EXPECT_THAT(r.body, HasSubstr(c.says)) << c.method << " " << c.path;
  }
  // Tokens with characters gRPC metadata cannot carry: refused, not
  // passed on.
  for (const std::string token : {"tok-vi\xc3\xa9wer", "tok\x01viewer"}) {
    const HttpResponse r = HttpRequest(
        server_->http_port(), "POST", "/api/vigil.v1.StatsService/GetSummary",
        "Authorization: Bearer " + token + "\r\n", "{}");
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_THAT(r.body, HasSubstr("characters a token cannot"));
  }
}

TEST_F(HttpApiTest, ServesTheConsoleWithASameOriginPolicy) {
  for (const char* path : {"/", "/index.html", "/app.js", "/style.css"}) {
    const HttpResponse r =
        HttpRequest(server_->http_port(), "GET", path, "", "");
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_THAT(r.headers, HasSubstr("Content-Security-Policy: default-src "
                                     "'none'; script-src 'self'"))
        << path;
    EXPECT_THAT(r.headers, HasSubstr("X-Frame-Options: DENY")) << path;
    EXPECT_FALSE(r.body.empty()) << path;
  }
  const HttpResponse index =
      HttpRequest(server_->http_port(), "GET", "/", "", "");
  EXPECT_THAT(index.headers, HasSubstr("text/html"));
  EXPECT_THAT(index.body, HasSubstr(R"(<script type="module" src="app.js">)"));
  EXPECT_THAT(index.body, HasSubstr(R"(lang="vi")"));
  const HttpResponse head =
      HttpRequest(server_->http_port(), "HEAD", "/app.js", "", "");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

// app.js is a module script: it and every module it imports, directly or
// not, is served with a JavaScript content type (browsers refuse to run a
// module served as anything else, and nosniff is on).
TEST_F(HttpApiTest, ServesEveryConsoleModuleAsJavaScript) {
  const std::regex import_from(R"(\bfrom '\./([a-z0-9_]+\.js)';)");
  std::set<std::string> served;
  std::vector<std::string> pending = {"app.js"};
  while (!pending.empty()) {
    const std::string name = pending.back();
    pending.pop_back();
    if (!served.insert(name).second) continue;
    const HttpResponse r =
        HttpRequest(server_->http_port(), "GET", "/" + name, "", "");
    ASSERT_EQ(r.status, 200) << name;
    EXPECT_THAT(r.headers, HasSubstr("Content-Type: text/javascript")) << name;
    for (std::sregex_iterator it(r.body.begin(), r.body.end(), import_from);
         it != std::sregex_iterator(); ++it) {
      pending.push_back((*it)[1].str());
    }
  }
  // The entry, the API client and the views at least (the exact list is
  // service/CMakeLists.txt's VIGIL_CONSOLE_FILES).
  for (const char* name : {"app.js", "api.js", "i18n.js", "queue.js", "item.js",
                           "stats.js", "charts.js", "keys.js"}) {
    EXPECT_EQ(served.count(name), 1) << name;
  }
}

// Over HTTP too, GetSummary names exactly vigil's categories, in their
// order (where the console takes its category list from).
TEST_F(HttpApiTest, SummaryListsTheCategories) {
  const HttpResponse r =
      Post("vigil.v1.StatsService/GetSummary", "{}", "tok-viewer");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(R"("categories":["profanity","insult",)"
                                R"("hate","threat","sexual","self_harm",)"
                                R"("scam","spam"])"));
}

// A server-streaming method (AdminService.Backtest) answers JSON lines:
// progress, then the report; refusals before the start are plain errors.
TEST_F(HttpApiTest, StreamsABacktestAsJsonLines) {
  const std::string lexicons = testing::SourcePath("tests/fixtures/lexicon");
  const HttpResponse http =
      Post("vigil.v1.AdminService/Backtest",
           R"({"directory": ")" + lexicons + R"("})", "tok-admin");
  ASSERT_EQ(http.status, 200) << http.body;
  EXPECT_THAT(http.headers, HasSubstr("application/x-ndjson"));
  std::vector<std::string> lines;
  for (size_t at = 0; at < http.body.size();) {
    const size_t eol = http.body.find('\n', at);
    ASSERT_NE(eol, std::string::npos) << "a line without its newline";
    lines.push_back(http.body.substr(at, eol - at));
    at = eol + 1;
  }
  ASSERT_GE(lines.size(), 2u) << http.body;
  v1::BacktestResponse first, last;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(lines.front(), &first).ok());
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(lines.back(), &last).ok());
  EXPECT_TRUE(first.has_progress());
  ASSERT_TRUE(last.has_report()) << lines.back();
  // The same lexicon on both sides: the two flagged posts, nothing changes.
  EXPECT_EQ(last.report().items(), 2);
  EXPECT_EQ(last.report().before_version(), last.report().after_version());
  EXPECT_EQ(last.report().newly_flagged() + last.report().no_longer_flagged(),
            0);

  const HttpResponse denied =
      Post("vigil.v1.AdminService/Backtest",
           R"({"directory": ")" + lexicons + R"("})", "tok-analyst");
  EXPECT_EQ(denied.status, 403);
  EXPECT_THAT(denied.body, HasSubstr(R"("code":"PERMISSION_DENIED")"));
  const HttpResponse missing =
      Post("vigil.v1.AdminService/Backtest", "{}", "tok-admin");
  EXPECT_EQ(missing.status, 400);
  EXPECT_THAT(missing.body, HasSubstr(R"("code":"INVALID_ARGUMENT")"));
  const HttpResponse nowhere =
      Post("vigil.v1.AdminService/Backtest", R"({"directory": "/no/such/dir"})",
           "tok-admin");
  EXPECT_EQ(nowhere.status, 400) << nowhere.body;
  EXPECT_THAT(nowhere.body, HasSubstr("/no/such/dir/manifest.tsv"));
}

TEST(HttpServerStartTest, RefusesPlainHttpBeyondLoopback) {
  ServerOptions options = testing::TestServerOptions();
  options.http_listen = "0.0.0.0:0";
  auto server = Server::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(server.status().message()),
              HasSubstr("refusing to serve HTTP on 0.0.0.0:0"));
}

TEST(HttpServerStartTest, ReportsABadAddress) {
  ServerOptions options = testing::TestServerOptions();
  options.http_listen = "127.0.0.1:notaport";
  auto server = Server::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(std::string(server.status().message()),
              HasSubstr("is not HOST:PORT"));
}

TEST(HttpStatusTest, MapsGrpcCodes) {
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::OK), 200);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::UNAUTHENTICATED), 401);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::PERMISSION_DENIED), 403);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::NOT_FOUND), 404);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::FAILED_PRECONDITION), 409);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::RESOURCE_EXHAUSTED), 429);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::UNAVAILABLE), 503);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::INTERNAL), 500);
}

TEST(JsonErrorTest, EscapesAndKeepsUtf8Valid) {
  EXPECT_EQ(JsonError(grpc::StatusCode::NOT_FOUND, "a \"b\"\n\xff ngữ"),
            R"({"code":"NOT_FOUND","message":"a \"b\"\u000a\ufffd ngữ"})");
}

}  // namespace
}  // namespace vigil::service
