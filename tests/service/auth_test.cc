// Authentication and authorization, through the real server: the full
// role × RPC matrix, missing and unknown tokens, and token files.
#include "service/auth.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "service/server.h"
#include "tests/service/test_server.h"
#include "tests/test_data.h"
#include "vigil/v1/admin.grpc.pb.h"
#include "vigil/v1/analysis.grpc.pb.h"
#include "vigil/v1/review.grpc.pb.h"
#include "vigil/v1/stats.grpc.pb.h"

namespace vigil::service {
namespace {

using ::testing::HasSubstr;

std::string WriteFile(const std::string& name, const std::string& contents) {
  const std::string path =
      ::testing::TempDir() + "/" + name + "_" + std::to_string(getpid());
  std::ofstream(path, std::ios::trunc) << contents;
  return path;
}

const std::map<Role, std::string>& Tokens() {
  static const auto* tokens =
      new std::map<Role, std::string>{{Role::kIngest, "tok-ingest"},
                                      {Role::kAnalyst, "tok-analyst"},
                                      {Role::kViewer, "tok-viewer"},
                                      {Role::kAdmin, "tok-admin"}};
  return *tokens;
}

class AuthServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string file = "# test tokens\n";
    for (const auto& [role, token] : Tokens()) {
      file += TokenStore::HashHex(token) + "\t" + std::string(RoleName(role)) +
              "\t" + std::string(RoleName(role)) + "-user\n";
    }
    // An admin token that expired, and one that expires in 2999.
    file += TokenStore::HashHex("tok-expired") +
            "\tadmin\told-admin\texpires=2020-01-01\n";
    file += TokenStore::HashHex("tok-future") +
            "\tadmin\tnew-admin\texpires=2999-12-31T23:59:59Z\n";
    ServerOptions options = testing::TestServerOptions();
    options.tokens_path = WriteFile("vigil_tokens", file);
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel = testing::LoopbackChannel(server_->port());
    analysis_ = v1::AnalysisService::NewStub(channel);
    admin_ = v1::AdminService::NewStub(channel);
    review_ = v1::ReviewService::NewStub(channel);
    stats_ = v1::StatsService::NewStub(channel);
  }

  // Every RPC the server has, by method name: each call returns its status
  // code (permitted calls may still fail for other reasons, e.g. NOT_FOUND).
  using Call = std::function<grpc::StatusCode(grpc::ClientContext*)>;
  std::vector<std::pair<std::string, Call>> Calls() {
    std::vector<std::pair<std::string, Call>> calls;
    calls.emplace_back("Analyze", [this](grpc::ClientContext* c) {
      v1::AnalyzeRequest request;
      request.mutable_post()->set_text("xin chào");
      v1::AnalyzeResponse response;
      return analysis_->Analyze(c, request, &response).error_code();
    });
    calls.emplace_back("AnalyzeBatch", [this](grpc::ClientContext* c) {
      v1::AnalyzeBatchRequest request;
      request.add_posts()->set_text("xin chào");
      v1::AnalyzeBatchResponse response;
      return analysis_->AnalyzeBatch(c, request, &response).error_code();
    });
    calls.emplace_back("AnalyzeStream", [this](grpc::ClientContext* c) {
      auto stream = analysis_->AnalyzeStream(c);
      v1::AnalyzeRequest request;
      request.mutable_post()->set_text("xin chào");
      stream->Write(request);
      stream->WritesDone();
      v1::AnalyzeResponse response;
      while (stream->Read(&response)) {
      }
      return stream->Finish().error_code();
    });
    calls.emplace_back("GetLexiconInfo", [this](grpc::ClientContext* c) {
      v1::LexiconInfo info;
      return admin_->GetLexiconInfo(c, {}, &info).error_code();
    });
    calls.emplace_back("ReloadLexicons", [this](grpc::ClientContext* c) {
      v1::ReloadLexiconsResponse response;
      return admin_->ReloadLexicons(c, {}, &response).error_code();
    });
    calls.emplace_back("ListQueue", [this](grpc::ClientContext* c) {
      v1::ListQueueResponse response;
      return review_->ListQueue(c, {}, &response).error_code();
    });
    calls.emplace_back("GetItem", [this](grpc::ClientContext* c) {
      v1::ReviewItem item;
      return review_->GetItem(c, {}, &item).error_code();
    });
    calls.emplace_back("Claim", [this](grpc::ClientContext* c) {
      v1::ReviewItem item;
      return review_->Claim(c, {}, &item).error_code();
    });
    calls.emplace_back("Release", [this](grpc::ClientContext* c) {
      v1::ReviewItem item;
      return review_->Release(c, {}, &item).error_code();
    });
    calls.emplace_back("Decide", [this](grpc::ClientContext* c) {
      v1::ReviewItem item;
      return review_->Decide(c, {}, &item).error_code();
    });
    calls.emplace_back("Reopen", [this](grpc::ClientContext* c) {
      v1::ReviewItem item;
      return review_->Reopen(c, {}, &item).error_code();
    });
    calls.emplace_back("Comment", [this](grpc::ClientContext* c) {
      v1::ReviewEvent event;
      return review_->Comment(c, {}, &event).error_code();
    });
    calls.emplace_back("GetHistory", [this](grpc::ClientContext* c) {
      v1::GetHistoryResponse response;
      return review_->GetHistory(c, {}, &response).error_code();
    });
    calls.emplace_back("ListClusters", [this](grpc::ClientContext* c) {
      v1::ListClustersResponse response;
      return review_->ListClusters(c, {}, &response).error_code();
    });
    calls.emplace_back("GetCluster", [this](grpc::ClientContext* c) {
      v1::GetClusterResponse response;
      return review_->GetCluster(c, {}, &response).error_code();
    });
    calls.emplace_back("DecideCluster", [this](grpc::ClientContext* c) {
      v1::DecideClusterResponse response;
      return review_->DecideCluster(c, {}, &response).error_code();
    });
    calls.emplace_back("GetSummary", [this](grpc::ClientContext* c) {
      v1::GetSummaryResponse response;
      return stats_->GetSummary(c, {}, &response).error_code();
    });
    calls.emplace_back("GetTimeSeries", [this](grpc::ClientContext* c) {
      v1::GetTimeSeriesResponse response;
      return stats_->GetTimeSeries(c, {}, &response).error_code();
    });
    calls.emplace_back("GetTopTerms", [this](grpc::ClientContext* c) {
      v1::GetTopTermsResponse response;
      return stats_->GetTopTerms(c, {}, &response).error_code();
    });
    calls.emplace_back("GetReviewOutcomes", [this](grpc::ClientContext* c) {
      v1::GetReviewOutcomesResponse response;
      return stats_->GetReviewOutcomes(c, {}, &response).error_code();
    });
    return calls;
  }

  grpc::StatusCode CallWith(const Call& call, const std::string& token) {
    grpc::ClientContext context;
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    return call(&context);
  }

  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::AnalysisService::Stub> analysis_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::ReviewService::Stub> review_;
  std::unique_ptr<v1::StatsService::Stub> stats_;
};

TEST_F(AuthServerTest, RoleMatrix) {
  // The expected permission table, written out independently of Allowed():
  // the methods each role may call.
  const std::map<Role, std::set<std::string>> kAllowed = {
      {Role::kIngest,
       {"Analyze", "AnalyzeBatch", "AnalyzeStream", "GetLexiconInfo"}},
      {Role::kAnalyst,
       {"GetLexiconInfo", "ListQueue", "GetItem", "Claim", "Release", "Decide",
        "Reopen", "Comment", "GetHistory", "ListClusters", "GetCluster",
        "DecideCluster", "GetSummary", "GetTimeSeries", "GetTopTerms",
        "GetReviewOutcomes"}},
      {Role::kViewer,
       {"GetLexiconInfo", "GetSummary", "GetTimeSeries", "GetTopTerms",
        "GetReviewOutcomes"}},
  };
  const auto calls = Calls();
  for (Role role :
       {Role::kIngest, Role::kAnalyst, Role::kViewer, Role::kAdmin}) {
    for (const auto& [method, call] : calls) {
      const bool allowed =
          role == Role::kAdmin || kAllowed.at(role).count(method) > 0;
      const grpc::StatusCode code = CallWith(call, Tokens().at(role));
      if (allowed) {
        EXPECT_NE(code, grpc::StatusCode::PERMISSION_DENIED)
            << RoleName(role) << " " << method;
        EXPECT_NE(code, grpc::StatusCode::UNAUTHENTICATED)
            << RoleName(role) << " " << method;
      } else {
        EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED)
            << RoleName(role) << " " << method;
      }
    }
  }
  // The analysis and admin calls succeed outright for their roles.
  for (const auto& [method, call] : calls) {
    if (method == "Analyze" || method == "AnalyzeBatch" ||
        method == "AnalyzeStream" || method == "GetLexiconInfo" ||
        method == "ReloadLexicons" || method == "ListQueue" ||
        method == "GetSummary" || method == "GetTimeSeries" ||
        method == "GetTopTerms" || method == "GetReviewOutcomes") {
      EXPECT_EQ(CallWith(call, Tokens().at(Role::kAdmin)), grpc::StatusCode::OK)
          << method;
    }
  }
}

TEST_F(AuthServerTest, MissingOrUnknownTokenIsUnauthenticatedEverywhere) {
  for (const auto& [method, call] : Calls()) {
    EXPECT_EQ(CallWith(call, ""), grpc::StatusCode::UNAUTHENTICATED) << method;
    EXPECT_EQ(CallWith(call, "forged-token"), grpc::StatusCode::UNAUTHENTICATED)
        << method;
  }
}

TEST_F(AuthServerTest, ExpiredTokensAreRefused) {
  for (const auto& [method, call] : Calls()) {
    EXPECT_EQ(CallWith(call, "tok-expired"), grpc::StatusCode::UNAUTHENTICATED)
        << method;
  }
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer tok-expired");
  v1::LexiconInfo info;
  const grpc::Status status = admin_->GetLexiconInfo(&context, {}, &info);
  EXPECT_EQ(status.error_message(), "token expired");
  grpc::ClientContext future;
  future.AddMetadata("authorization", "Bearer tok-future");
  EXPECT_TRUE(admin_->GetLexiconInfo(&future, {}, &info).ok());
}

TEST(ParseUtcTimeTest, DatesAndTimes) {
  EXPECT_EQ(ParseUtcTime("1970-01-02")->time_since_epoch(),
            std::chrono::hours(24));
  EXPECT_EQ(ParseUtcTime("1970-01-01T00:01:05Z")->time_since_epoch(),
            std::chrono::seconds(65));
  for (const char* bad :
       {"", "2026-13-01", "2026-02-30", "2026-1-01", "2026-01-01T25:00:00Z",
        "2026-01-01 10:00:00", "2026-01-01T10:00:00", "tomorrow"}) {
    EXPECT_FALSE(ParseUtcTime(bad).has_value()) << bad;
  }
}

TEST_F(AuthServerTest, BearerSchemeIsCaseInsensitive) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "bearer  " + Tokens().at(Role::kAdmin));
  v1::LexiconInfo info;
  EXPECT_TRUE(admin_->GetLexiconInfo(&context, {}, &info).ok());
}

TEST(AuthStartTest, NonLoopbackNeedsTokensAndTls) {
  ServerOptions options = testing::TestServerOptions();
  options.listen = "0.0.0.0:0";
  options.tokens_path = WriteFile("vigil_tokens_plain",
                                  TokenStore::HashHex("t") + "\tadmin\tme\n");
  auto server = Server::Start(options);  // tokens but no TLS
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(std::string(server.status().message()),
              HasSubstr("without authentication and TLS"));
}

TEST(AuthStartTest, NonLoopbackWithoutTokensIsRefused) {
  ServerOptions options = testing::TestServerOptions();
  options.listen = "0.0.0.0:0";
  auto server = Server::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(server.status().message()),
              HasSubstr("without authentication"));
}

TEST(AuthStartTest, LoopbackMeansLoopback) {
  for (const char* yes :
       {"127.0.0.1:1", "127.1.2.3:50051", "localhost:9", "[::1]:9"}) {
    EXPECT_TRUE(IsLoopbackAddress(yes)) << yes;
  }
  for (const char* no :
       {"0.0.0.0:1", "10.0.0.1:1", "127.example.com:1", "127.0.0.1.evil:1",
        "localhost.evil:1", "[::]:1", "127.0.0.1", "128.0.0.1:1",
        "127.0.0.256:1", "127..0.1:1", ":1"}) {
    EXPECT_FALSE(IsLoopbackAddress(no)) << no;
  }
}

TEST(TokenStoreTest, ReportsFileAndLine) {
  const std::string bad_role = WriteFile(
      "vigil_bad_role", "# c\n" + TokenStore::HashHex("x") + "\troot\tme\n");
  auto a = TokenStore::Load(bad_role);
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(std::string(a.status().message()),
              HasSubstr(bad_role + ":2: unknown role 'root'"));
  const std::string bad_hash =
      WriteFile("vigil_bad_hash", "plain-token\tadmin\tme\n");
  auto b = TokenStore::Load(bad_hash);
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(std::string(b.status().message()),
              HasSubstr(bad_hash + ":1: the token hash must be 64"));
  const std::string bad_expiry =
      WriteFile("vigil_bad_expiry",
                TokenStore::HashHex("x") + "\tadmin\tme\texpires=soon\n");
  auto c = TokenStore::Load(bad_expiry);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()),
              HasSubstr(bad_expiry + ":1: the fourth field is expires="));
}

TEST(TokenStoreTest, FindsByHashOnly) {
  const std::string path = WriteFile(
      "vigil_good", TokenStore::HashHex("secret") + "\tanalyst\talice\n");
  auto store = TokenStore::Load(path);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_NE(store->Find("secret"), nullptr);
  EXPECT_EQ(store->Find("secret")->name, "alice");
  EXPECT_EQ(store->Find("secret")->role, Role::kAnalyst);
  EXPECT_EQ(store->Find("secreT"), nullptr);
  EXPECT_EQ(store->Find(""), nullptr);
  // Known SHA-256 test vector.
  EXPECT_EQ(TokenStore::HashHex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace vigil::service
