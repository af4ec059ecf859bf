#include <grpcpp/grpcpp.h>

#include "service/services.h"
#include "service/verdict_proto.h"

namespace vigil::service {

grpc::ServerUnaryReactor* AdminServiceImpl::GetLexiconInfo(
    grpc::CallbackServerContext* context, const v1::GetLexiconInfoRequest*,
    v1::LexiconInfo* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = authorizer_->Check(*context, Rpc::kGetLexiconInfo);
  if (status.ok()) ToProto(*snapshots_->Get(), response);
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminServiceImpl::ReloadLexicons(
    grpc::CallbackServerContext* context,
    const v1::ReloadLexiconsRequest* request,
    v1::ReloadLexiconsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (grpc::Status allowed = authorizer_->Check(*context, Rpc::kReloadLexicons);
      !allowed.ok()) {
    reactor->Finish(allowed);
    return reactor;
  }
  const absl::Status status = snapshots_->Reload(request->directory());
  if (!status.ok()) {
    reactor->Finish(grpc::Status(status.code() == absl::StatusCode::kNotFound
                                     ? grpc::StatusCode::NOT_FOUND
                                     : grpc::StatusCode::INVALID_ARGUMENT,
                                 std::string(status.message())));
    return reactor;
  }
  ToProto(*snapshots_->Get(), response->mutable_info());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace vigil::service
