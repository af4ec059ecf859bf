#include "service/http/json_rpc.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/byte_buffer.h>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "analyzers/util/strings.h"
#include "service/proto_json.h"

namespace vigil::service {

namespace {

namespace pb = google::protobuf;

// gRPC's code names, which are absl's ("INVALID_ARGUMENT"): the two enums
// share their values.
std::string CodeName(grpc::StatusCode code) {
  std::string name =
      absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  return name.empty() ? "UNKNOWN" : name;
}

// JSON string literal for `text` (which may be any bytes; invalid UTF-8
// comes out as U+FFFD so the reply stays valid JSON).
std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = text[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else {
      // Copy a well-formed multi-byte sequence; replace anything else.
      const int length = c >= 0xF0 && c <= 0xF4   ? 4
                         : c >= 0xE0              ? 3
                         : c >= 0xC2 && c <= 0xDF ? 2
                                                  : 0;
      bool ok = length > 0 && i + length <= text.size();
      for (int k = 1; ok && k < length; ++k) {
        ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
      }
      if (ok) {
        out.append(text.substr(i, length));
        i += length;
      } else {
        out += "\\ufffd";
        ++i;
      }
    }
  }
  out += '"';
  return out;
}

// A visible-ASCII header value can go on as gRPC metadata.
bool IsValidMetadataValue(std::string_view value) {
  for (char c : value) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

}  // namespace

int HttpStatusFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
      return 400;
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::FAILED_PRECONDITION:
      return 409;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
      return 409;
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    default:
      return 500;
  }
}

std::string JsonError(grpc::StatusCode code, std::string_view message) {
  return StrCat("{\"code\":", JsonString(CodeName(code)),
                ",\"message\":", JsonString(message), "}");
}

JsonRpc::JsonRpc(std::shared_ptr<grpc::Channel> channel,
                 std::set<std::string, std::less<>> services,
                 std::chrono::milliseconds deadline)
    : channel_(std::move(channel)),
      stub_(std::make_unique<grpc::GenericStub>(channel_)),
      services_(std::move(services)),
      deadline_(deadline) {}

namespace {

JsonRpc::Reply ErrorReply(grpc::StatusCode code, std::string_view message) {
  return JsonRpc::Reply{HttpStatusFor(code), JsonError(code, message)};
}

// The method `service`/`method` of the HTTP API, streaming from the server
// when `streaming`; null when there is none such.
const pb::MethodDescriptor* FindMethod(
    const std::set<std::string, std::less<>>& services,
    std::string_view service, std::string_view method, bool streaming) {
  const pb::ServiceDescriptor* service_descriptor =
      services.count(service) == 0
          ? nullptr
          : pb::DescriptorPool::generated_pool()->FindServiceByName(
                std::string(service));
  const pb::MethodDescriptor* found =
      service_descriptor == nullptr
          ? nullptr
          : service_descriptor->FindMethodByName(std::string(method));
  if (found == nullptr || found->client_streaming() ||
      found->server_streaming() != streaming) {
    return nullptr;
  }
  return found;
}

// The request of `method` from `json` as a gRPC message; an error reply
// when the JSON or the authorization cannot be used.
std::optional<JsonRpc::Reply> SerializeRequest(
    const pb::MethodDescriptor& method, std::string_view json,
    std::string_view authorization, grpc::ByteBuffer* out) {
  if (!IsValidMetadataValue(authorization)) {
    return ErrorReply(
        grpc::StatusCode::UNAUTHENTICATED,
        "the Authorization header holds characters a token cannot");
  }
  std::unique_ptr<pb::Message> request(pb::MessageFactory::generated_factory()
                                           ->GetPrototype(method.input_type())
                                           ->New());
  if (!json.empty()) {
    pb::util::JsonParseOptions parse;
    parse.ignore_unknown_fields = false;
    const auto parsed =
        pb::util::JsonStringToMessage(std::string(json), request.get(), parse);
    if (!parsed.ok()) {
      return ErrorReply(
          grpc::StatusCode::INVALID_ARGUMENT,
          StrCat("request body is not a ", method.input_type()->full_name(),
                 " in JSON: ", parsed.message().as_string()));
    }
  }
  std::string serialized;
  request->SerializeToString(&serialized);
  grpc::Slice slice(serialized);
  *out = grpc::ByteBuffer(&slice, 1);
  return std::nullopt;
}

// A response of `method` in JSON.
absl::StatusOr<std::string> ResponseJson(const pb::MethodDescriptor& method,
                                         grpc::ByteBuffer& buffer) {
  std::unique_ptr<pb::Message> response(pb::MessageFactory::generated_factory()
                                            ->GetPrototype(method.output_type())
                                            ->New());
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (buffer.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices) {
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  if (!response->ParseFromString(bytes)) {
    return absl::InternalError("cannot parse the response");
  }
  return MessageJson(*response);
}

}  // namespace

JsonRpc::Reply JsonRpc::Call(std::string_view service, std::string_view method,
                             std::string_view json,
                             std::string_view authorization) const {
  const pb::MethodDescriptor* method_descriptor =
      FindMethod(services_, service, method, /*streaming=*/false);
  if (method_descriptor == nullptr) {
    return ErrorReply(
        grpc::StatusCode::NOT_FOUND,
        StrCat("no method ", service, "/", method, " in the HTTP API"));
  }
  grpc::ByteBuffer request_buffer;
  if (std::optional<Reply> bad = SerializeRequest(
          *method_descriptor, json, authorization, &request_buffer)) {
    return *std::move(bad);
  }
  grpc::ByteBuffer response_buffer;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline_);
  if (!authorization.empty()) {
    context.AddMetadata("authorization", std::string(authorization));
  }
  absl::Notification done;
  grpc::Status status;
  stub_->UnaryCall(&context, StrCat("/", service, "/", method),
                   grpc::StubOptions(), &request_buffer, &response_buffer,
                   [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
  done.WaitForNotification();  // Notify() publishes `status`
  if (!status.ok()) {
    return ErrorReply(status.error_code(), status.error_message());
  }
  absl::StatusOr<std::string> printed =
      ResponseJson(*method_descriptor, response_buffer);
  if (!printed.ok()) {
    return ErrorReply(grpc::StatusCode::INTERNAL,
                      std::string(printed.status().message()));
  }
  Reply reply;
  reply.body = *std::move(printed);
  return reply;
}

bool JsonRpc::Streams(std::string_view service, std::string_view method) const {
  return FindMethod(services_, service, method, /*streaming=*/true) != nullptr;
}

bool JsonRpc::Stream::Wait() {
  void* tag = nullptr;
  bool ok = false;
  return queue_.Next(&tag, &ok) && ok;
}

bool JsonRpc::Stream::Next(std::string* json) {
  if (ended_) return false;
  grpc::ByteBuffer buffer;
  call_->Read(&buffer, this);
  if (!Wait()) {
    ended_ = true;
    return false;
  }
  absl::StatusOr<std::string> printed = ResponseJson(*method_, buffer);
  if (!printed.ok()) {
    context_.TryCancel();
    local_error_ = printed.status();
    ended_ = true;
    return false;
  }
  *json = *std::move(printed);
  return true;
}

JsonRpc::Reply JsonRpc::Stream::Finish() {
  while (!ended_) {  // drain what the caller did not read
    std::string ignored;
    Next(&ignored);
  }
  grpc::Status status;
  call_->Finish(&status, this);
  Wait();
  queue_.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (queue_.Next(&tag, &ok)) {
  }
  finished_ = true;
  if (!local_error_.ok()) {
    return ErrorReply(grpc::StatusCode::INTERNAL,
                      std::string(local_error_.message()));
  }
  if (!status.ok()) {
    return ErrorReply(status.error_code(), status.error_message());
  }
  return Reply{};
}

void JsonRpc::Stream::Cancel() { context_.TryCancel(); }

JsonRpc::Stream::~Stream() {
  if (!finished_) {
    Cancel();
    Finish();
  }
}

std::unique_ptr<JsonRpc::Stream> JsonRpc::OpenStream(
    std::string_view service, std::string_view method, std::string_view json,
    std::string_view authorization, Reply* error) const {
  const pb::MethodDescriptor* method_descriptor =
      FindMethod(services_, service, method, /*streaming=*/true);
  if (method_descriptor == nullptr) {
    *error = ErrorReply(grpc::StatusCode::NOT_FOUND,
                        StrCat("no streaming method ", service, "/", method,
                               " in the HTTP API"));
    return nullptr;
  }
  grpc::ByteBuffer request_buffer;
  if (std::optional<Reply> bad = SerializeRequest(
          *method_descriptor, json, authorization, &request_buffer)) {
    *error = *std::move(bad);
    return nullptr;
  }
  std::unique_ptr<Stream> stream(new Stream());
  stream->method_ = method_descriptor;
  if (!authorization.empty()) {
    stream->context_.AddMetadata("authorization", std::string(authorization));
  }
  stream->call_ = stub_->PrepareCall(
      &stream->context_, StrCat("/", service, "/", method), &stream->queue_);
  // A failed step shows in the first Read and in Finish's status.
  stream->call_->StartCall(stream.get());
  if (stream->Wait()) {
    stream->call_->Write(request_buffer, stream.get());
    if (stream->Wait()) {
      stream->call_->WritesDone(stream.get());
      stream->Wait();
    }
  }
  return stream;
}

}  // namespace vigil::service
