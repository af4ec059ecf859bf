// JsonRpc: calls vigil's gRPC methods with protobuf's JSON mapping, so the
// HTTP API and gRPC share one code path (the same service handlers, roles,
// limits, metrics and logs).
//
//   JsonRpc rpc(server->InProcessChannel(args), {"vigil.v1.ReviewService"});
//   JsonRpc::Reply r = rpc.Call("vigil.v1.ReviewService", "ListQueue",
//                               R"({"page_size": 20})", "Bearer s3cret");
//   // r.http_status == 200, r.body == {"items": [...], ...}
//
// A request body is the method's request message in proto3 JSON (empty
// means the default message; the .proto's field names and lowerCamelCase
// ones are both read); the reply is the response message in the shape of
// service/proto_json.h (the .proto's field names, every field printed).
// Errors come back as {"code": "PERMISSION_DENIED", "message": "..."} with
// the HTTP status that matches the gRPC code (see HttpStatusFor).
//
// Thread safety: Call() may be called from any number of threads at once.
#ifndef VIGIL_SERVICE_HTTP_JSON_RPC_H_
#define VIGIL_SERVICE_HTTP_JSON_RPC_H_

#include <google/protobuf/descriptor.h>
#include <grpcpp/channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace vigil::service {

// The HTTP status for a gRPC status code (the grpc-gateway mapping:
// UNAUTHENTICATED 401, PERMISSION_DENIED 403, NOT_FOUND 404, ...).
int HttpStatusFor(grpc::StatusCode code);

class JsonRpc {
 public:
  struct Reply {
    int http_status = 200;
    std::string body;  // JSON
  };

  // Calls go over `channel` (typically the server's in-process channel) to
  // the methods of `services` (full names, e.g. "vigil.v1.StatsService");
  // other services are NOT_FOUND.
  JsonRpc(std::shared_ptr<grpc::Channel> channel,
          std::set<std::string, std::less<>> services,
          std::chrono::milliseconds deadline = std::chrono::seconds(30));

  // Calls `service`/`method` with `json` as the request. `authorization` is
  // passed on as the call's authorization metadata (empty: none).
  Reply Call(std::string_view service, std::string_view method,
             std::string_view json, std::string_view authorization) const;

  // A call to a method that streams its responses (AdminService.Backtest),
  // read one JSON message at a time. Not thread-safe: one reader.
  class Stream {
   public:
    ~Stream();  // cancels the call if it was not finished
    // The next response message in JSON; false at the end of the stream or
    // when the call failed (then Finish() says how).
    bool Next(std::string* json);
    // The call's outcome: an empty body with status 200, or the error.
    Reply Finish();
    // Cancels the call (the HTTP client went away); Next() then ends.
    void Cancel();

   private:
    friend class JsonRpc;
    Stream() = default;
    bool Wait();  // the one operation in flight completes; its ok

    const google::protobuf::MethodDescriptor* method_ = nullptr;
    grpc::ClientContext context_;
    grpc::CompletionQueue queue_;
    std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
    absl::Status local_error_;
    bool ended_ = false;
    bool finished_ = false;
  };

  // True for a server-streaming method of the HTTP API's services.
  bool Streams(std::string_view service, std::string_view method) const;

  // Starts a call to a server-streaming method with `json` as its request;
  // null with `*error` set when there is no such method in the HTTP API or
  // the request cannot be sent. Errors the server returns come from the
  // stream (Next() false, then Finish()). No deadline: cancel instead.
  std::unique_ptr<Stream> OpenStream(std::string_view service,
                                     std::string_view method,
                                     std::string_view json,
                                     std::string_view authorization,
                                     Reply* error) const;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<grpc::GenericStub> stub_;
  std::set<std::string, std::less<>> services_;
  std::chrono::milliseconds deadline_;
};

// {"code": "<CODE_NAME>", "message": "<message>"}.
std::string JsonError(grpc::StatusCode code, std::string_view message);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_HTTP_JSON_RPC_H_
