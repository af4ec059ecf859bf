// vigil health: asks a server's grpc.health.v1 service whether it serves;
// the exit status says (for Docker HEALTHCHECK and exec probes).
#include <grpcpp/grpcpp.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"

namespace vigil::cli {
namespace {

constexpr char kUsage[] =
    "usage: vigil health [--target HOST:PORT] [--service NAME]\n"
    "                    [--timeout-ms N]\n"
    "Calls grpc.health.v1.Health/Check on --target (default\n"
    "127.0.0.1:50051; plaintext, e.g. the --health-listen port) and prints\n"
    "the status. Exit status: 0 SERVING, 1 anything else or no answer,\n"
    "2 bad usage.\n";

}  // namespace

int RunHealth(const std::vector<std::string>& args, const char* /*argv0*/,
              std::ostream& out, std::ostream& err) {
  ParsedFlags flags = ParseFlags(
      args, {"--target", "--service", "--timeout-ms"}, {"-h", "--help"});
  if (flags.Has("-h") || flags.Has("--help")) {
    out << kUsage;
    return 0;
  }
  int timeout_ms = 2000;
  flags.GetWholeNumber("--timeout-ms", 1, 3600000, &timeout_ms);
  if (flags.ReportUsageError("health", kUsage, err)) return 2;
  const std::string target = flags.Get("--target", "127.0.0.1:50051");
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(timeout_ms));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(flags.Get("--service"));
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    err << "vigil health: " << target << ": " << status.error_message()
        << " (code " << status.error_code() << ")\n";
    return 1;
  }
  out << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
             response.status())
      << "\n";
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING
             ? 0
             : 1;
}

}  // namespace vigil::cli
