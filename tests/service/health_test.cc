// The server answers gRPC's standard health checks.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "service/server.h"
#include "tests/test_data.h"

namespace vigil::service {
namespace {

TEST(HealthTest, ServingWhileUp) {
  ServerOptions options;
  options.store_url = "sqlite::memory:";
  options.listen = "127.0.0.1:0";
  options.lexicon_dir = testing::SourcePath("tests/fixtures/lexicon");
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()),
                          grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(stub->Check(&context, {}, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace vigil::service
