// The one JSON shape of vigil's messages: protobuf's JSON mapping with the
// .proto field names ("flagged_categories", "begin_char", "next_page_token")
// and every field present, zero or not (int64 as strings, enums by name).
// `vigil classify` prints verdicts with it and the HTTP API prints every
// response with it, so a verdict reads the same from the CLI, over HTTP and
// (field for field) over gRPC. Requests may use either spelling: protobuf's
// JSON parser reads the .proto names and the lowerCamelCase ones.
//
// MessageJson walks the message by reflection and writes the text directly
// (proto_json.cc lists the rules); it prints what protobuf's own printer,
// ProtobufMessageJson, prints, except that map entries come in key order.
// ProtoJsonTest checks the two against each other on every vigil message
// type, filled at random, and on every code point.
//
//   v1::Verdict verdict = ...;
//   absl::StatusOr<std::string> json = MessageJson(verdict);
//   // *json == {"flagged":true,"flagged_categories":["insult"],...}
//
// Thread safety: MessageJson may be called from any thread.
#ifndef VIGIL_SERVICE_PROTO_JSON_H_
#define VIGIL_SERVICE_PROTO_JSON_H_

#include <google/protobuf/message.h>

#include <string>

#include "absl/status/statusor.h"

namespace vigil::service {

// `message` as one line of JSON in the shape above; INTERNAL if protobuf
// cannot print it (it can always print a well-formed message).
absl::StatusOr<std::string> MessageJson(
    const google::protobuf::Message& message);

// The same through protobuf's util::MessageToJsonString (maps in its hash
// order): MessageJson's fallback for what it leaves to protobuf (other
// well-known types, strings that are not UTF-8), and its reference in tests.
absl::StatusOr<std::string> ProtobufMessageJson(
    const google::protobuf::Message& message);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_PROTO_JSON_H_
