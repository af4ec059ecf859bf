// Server reflection answers what grpcurl and other tools ask: the services,
// and the proto files that define them.
#include <gmock/gmock.h>
#include <google/protobuf/descriptor.pb.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "service/server.h"
#include "tests/service/test_server.h"
#include "tests/test_data.h"
#include "vigil_test/reflection_messages.pb.h"

namespace vigil::service {
namespace {

using ::testing::Contains;
using ::testing::IsSupersetOf;
using vigil_test::reflection::ServerReflectionRequest;
using vigil_test::reflection::ServerReflectionResponse;

constexpr char kMethod[] =
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

// One request and its response over the reflection stream, through a
// generic stub (raw bytes), so no second copy of gRPC's own reflection
// classes is linked in.
class ReflectionClient {
 public:
  explicit ReflectionClient(std::shared_ptr<grpc::Channel> channel)
      : stub_(std::move(channel)) {}

  bool Ask(const ServerReflectionRequest& request,
           ServerReflectionResponse* response) {
    grpc::ClientContext context;
    grpc::CompletionQueue cq;
    auto call = stub_.PrepareCall(&context, kMethod, &cq);
    call->StartCall(Tag(1));
    if (!Wait(&cq, 1)) return false;
    const std::string bytes = request.SerializeAsString();
    grpc::Slice slice(bytes);
    grpc::ByteBuffer out(&slice, 1);
    call->Write(out, Tag(2));
    if (!Wait(&cq, 2)) return false;
    grpc::ByteBuffer in;
    call->Read(&in, Tag(3));
    if (!Wait(&cq, 3)) return false;
    call->WritesDone(Tag(4));
    Wait(&cq, 4);
    grpc::Status status;
    call->Finish(&status, Tag(5));
    Wait(&cq, 5);
    std::vector<grpc::Slice> slices;
    if (!in.Dump(&slices).ok()) return false;
    std::string received;
    for (const grpc::Slice& s : slices) {
      received.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    return response->ParseFromString(received);
  }

 private:
  static void* Tag(intptr_t n) { return reinterpret_cast<void*>(n); }
  static bool Wait(grpc::CompletionQueue* cq, intptr_t want) {
    void* tag = nullptr;
    bool ok = false;
    if (!cq->Next(&tag, &ok)) return false;
    return ok && tag == Tag(want);
  }
  grpc::GenericStub stub_;
};

TEST(ReflectionTest, ListsServicesAndServesTheirProtoFiles) {
  ServerOptions options = vigil::testing::TestServerOptions();
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  ReflectionClient client(testing::LoopbackChannel((*server)->port()));

  ServerReflectionRequest list;
  list.set_list_services("*");
  ServerReflectionResponse services;
  ASSERT_TRUE(client.Ask(list, &services));
  std::vector<std::string> names;
  for (const auto& s : services.list_services_response().service()) {
    names.push_back(s.name());
  }
  EXPECT_THAT(
      names, IsSupersetOf({"vigil.v1.AnalysisService", "vigil.v1.ReviewService",
                           "vigil.v1.AdminService", "grpc.health.v1.Health"}));

  ServerReflectionRequest symbol;
  symbol.set_file_containing_symbol("vigil.v1.ReviewService");
  ServerReflectionResponse files;
  ASSERT_TRUE(client.Ask(symbol, &files));
  ASSERT_TRUE(files.has_file_descriptor_response())
      << files.error_response().error_message();
  std::vector<std::string> methods;
  bool found = false;
  for (const std::string& bytes :
       files.file_descriptor_response().file_descriptor_proto()) {
    google::protobuf::FileDescriptorProto file;
    ASSERT_TRUE(file.ParseFromString(bytes));
    if (file.name() != "vigil/v1/review.proto") continue;
    found = true;
    ASSERT_EQ(file.service_size(), 1);
    for (const auto& m : file.service(0).method()) methods.push_back(m.name());
  }
  EXPECT_TRUE(found);
  EXPECT_THAT(methods, Contains("Claim"));
  EXPECT_THAT(methods, Contains("Decide"));
}

}  // namespace
}  // namespace vigil::service
