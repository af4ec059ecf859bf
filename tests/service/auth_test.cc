// Authentication and authorization, through the real server: the full
// role × RPC matrix, missing and unknown tokens, and token files.
#include "service/auth.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "service/server.h"
#include "tests/test_data.h"
#include "vigil/v1/admin.grpc.pb.h"
#include "vigil/v1/analysis.grpc.pb.h"

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
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.lexicon_dir = testing::SourcePath("tests/fixtures/lexicon");
    options.tokens_path = WriteFile("vigil_tokens", file);
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel =
        grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                            grpc::InsecureChannelCredentials());
    analysis_ = v1::AnalysisService::NewStub(channel);
    admin_ = v1::AdminService::NewStub(channel);
  }

  // Calls `rpc` with `token` ("" for none) and returns the status code.
  grpc::StatusCode Call(Rpc rpc, const std::string& token) {
    grpc::ClientContext context;
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    switch (rpc) {
      case Rpc::kAnalyze: {
        v1::AnalyzeRequest request;
        request.mutable_post()->set_text("xin chào");
        v1::AnalyzeResponse response;
        return analysis_->Analyze(&context, request, &response).error_code();
      }
      case Rpc::kAnalyzeBatch: {
        v1::AnalyzeBatchRequest request;
        request.add_posts()->set_text("xin chào");
        v1::AnalyzeBatchResponse response;
        return analysis_->AnalyzeBatch(&context, request, &response)
            .error_code();
      }
      case Rpc::kAnalyzeStream: {
        auto stream = analysis_->AnalyzeStream(&context);
        v1::AnalyzeRequest request;
        request.mutable_post()->set_text("xin chào");
        stream->Write(request);
        stream->WritesDone();
        v1::AnalyzeResponse response;
        while (stream->Read(&response)) {
        }
        return stream->Finish().error_code();
      }
      case Rpc::kGetLexiconInfo: {
        v1::LexiconInfo info;
        return admin_->GetLexiconInfo(&context, {}, &info).error_code();
      }
      case Rpc::kReloadLexicons: {
        v1::ReloadLexiconsResponse response;
        return admin_->ReloadLexicons(&context, {}, &response).error_code();
      }
    }
    return grpc::StatusCode::UNKNOWN;
  }

  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::AnalysisService::Stub> analysis_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

TEST_F(AuthServerTest, RoleMatrix) {
  const Rpc kRpcs[] = {Rpc::kAnalyze, Rpc::kAnalyzeBatch, Rpc::kAnalyzeStream,
                       Rpc::kGetLexiconInfo, Rpc::kReloadLexicons};
  // The expected permission table, written out independently of Allowed().
  const std::map<Role, std::vector<bool>> kExpected = {
      {Role::kIngest, {true, true, true, true, false}},
      {Role::kAnalyst, {false, false, false, true, false}},
      {Role::kViewer, {false, false, false, true, false}},
      {Role::kAdmin, {true, true, true, true, true}},
  };
  for (const auto& [role, allowed] : kExpected) {
    for (size_t i = 0; i < std::size(kRpcs); ++i) {
      EXPECT_EQ(Call(kRpcs[i], Tokens().at(role)),
                allowed[i] ? grpc::StatusCode::OK
                           : grpc::StatusCode::PERMISSION_DENIED)
          << RoleName(role) << " rpc " << i;
    }
  }
}

TEST_F(AuthServerTest, MissingOrUnknownTokenIsUnauthenticated) {
  for (Rpc rpc : {Rpc::kAnalyze, Rpc::kAnalyzeStream, Rpc::kReloadLexicons}) {
    EXPECT_EQ(Call(rpc, ""), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(Call(rpc, "forged-token"), grpc::StatusCode::UNAUTHENTICATED);
  }
}

TEST_F(AuthServerTest, BearerSchemeIsCaseInsensitive) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "bearer  " + Tokens().at(Role::kAdmin));
  v1::LexiconInfo info;
  EXPECT_TRUE(admin_->GetLexiconInfo(&context, {}, &info).ok());
}

TEST(AuthStartTest, NonLoopbackNeedsTokensAndTls) {
  ServerOptions options;
  options.listen = "0.0.0.0:0";
  options.lexicon_dir = testing::SourcePath("tests/fixtures/lexicon");
  options.tokens_path = WriteFile("vigil_tokens_plain",
                                  TokenStore::HashHex("t") + "\tadmin\tme\n");
  auto server = Server::Start(options);  // tokens but no TLS
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(std::string(server.status().message()),
              HasSubstr("without authentication and TLS"));
}

TEST(AuthStartTest, NonLoopbackWithoutTokensIsRefused) {
  ServerOptions options;
  options.listen = "0.0.0.0:0";
  options.lexicon_dir = testing::SourcePath("tests/fixtures/lexicon");
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
