#include "analyzers/lm/gzip_file.h"

#include <zlib.h>

#include <fstream>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace vigil::lm {

absl::StatusOr<std::string> InflateMaybeGzip(std::string_view bytes,
                                             std::string_view name) {
  if (bytes.size() < 2 || static_cast<unsigned char>(bytes[0]) != 0x1f ||
      static_cast<unsigned char>(bytes[1]) != 0x8b) {
    return std::string(bytes);
  }
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
    return absl::InternalError(
        absl::StrCat(std::string(name), ": zlib: cannot start"));
  }
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  char buf[1 << 16];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - z.avail_out);
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // truncated
    // Concatenated gzip members (as `cat a.gz b.gz` makes) read as one.
    if (rc == Z_STREAM_END && z.avail_in > 0) rc = inflateReset(&z);
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    return absl::DataLossError(
        absl::StrCat(std::string(name), ": corrupt or truncated gzip data"));
  }
  return out;
}

absl::StatusOr<std::string> ReadFileMaybeGzip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
  return InflateMaybeGzip(bytes, path);
}

absl::Status WriteFileMaybeGzip(const std::string& path,
                                const std::string& bytes) {
  bool ok;
  if (absl::EndsWith(path, ".gz")) {
    gzFile f = gzopen(path.c_str(), "wb9");
    if (f == nullptr) return absl::UnavailableError("cannot write " + path);
    ok = gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) ==
         static_cast<int>(bytes.size());
    ok = gzclose(f) == Z_OK && ok;
  } else {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    ok = static_cast<bool>(out.flush());
  }
  return ok ? absl::OkStatus() : absl::UnavailableError("cannot write " + path);
}

}  // namespace vigil::lm
