// Whole files, plain or gzip-compressed (zlib), for the language model and
// its corpora.
//
// Thread safety: plain functions; no shared state.
#ifndef VIGIL_ANALYZERS_LM_GZIP_FILE_H_
#define VIGIL_ANALYZERS_LM_GZIP_FILE_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace vigil::lm {

// The bytes of `path`, inflated when it is gzip (a plain file is read as
// it is; InflateMaybeGzip). NotFound when it cannot be opened, DataLoss
// when it is corrupt.
absl::StatusOr<std::string> ReadFileMaybeGzip(const std::string& path);

// `bytes` inflated when they are gzip (they start with its magic number),
// else as they are; concatenated gzip members are read as one. DataLoss
// naming `name` when the stream is corrupt or truncated.
absl::StatusOr<std::string> InflateMaybeGzip(std::string_view bytes,
                                             std::string_view name);

// Writes `bytes` to `path`, gzip-compressed (level 9, no timestamp: the
// same bytes give the same file) when `path` ends in ".gz".
absl::Status WriteFileMaybeGzip(const std::string& path,
                                const std::string& bytes);

}  // namespace vigil::lm

#endif  // VIGIL_ANALYZERS_LM_GZIP_FILE_H_
