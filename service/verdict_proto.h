// Conversions between the analyzers' results and the vigil.v1 messages.
#ifndef VIGIL_SERVICE_VERDICT_PROTO_H_
#define VIGIL_SERVICE_VERDICT_PROTO_H_

#include <string>

#include "analyzers/analyzer.h"
#include "service/snapshot.h"
#include "vigil/v1/admin.pb.h"
#include "vigil/v1/analysis.pb.h"

namespace vigil::service {

// A term as verdicts name it (Hit.term): its text, "re:" + pattern for a
// regex term.
std::string HitTermName(const match::Term& term);

// Fills `out` with the verdict of `result` (judged by `analyzer`).
void ToProto(const Analyzer& analyzer, const Analyzer::Result& result,
             v1::Verdict* out);

// Fills `out` with what the snapshot serves.
void ToProto(const SnapshotHolder::Snapshot& snapshot, v1::LexiconInfo* out);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_VERDICT_PROTO_H_
