// `vigil token`: makes a bearer token and its tokens-file line.
#include <fstream>
#include <ostream>

#include "service/auth.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"

namespace vigil::cli {
namespace {

constexpr char kUsage[] =
    "usage: vigil token --role ingest|analyst|viewer|admin --name NAME\n"
    "                   [--expires YYYY-MM-DD[THH:MM:SSZ]]\n"
    "Prints a new random bearer token, then the line to append to the\n"
    "server's tokens file (which stores only the token's SHA-256). With\n"
    "--expires the server refuses the token from then on (UTC).\n";

}  // namespace

int RunToken(const std::vector<std::string>& args, const char*,
             std::ostream& out, std::ostream& err) {
  ParsedFlags flags =
      ParseFlags(args, {"--role", "--name", "--expires"}, {"-h", "--help"});
  if (flags.Has("-h") || flags.Has("--help")) {
    out << kUsage;
    return 0;
  }
  const std::optional<service::Role> role =
      service::ParseRole(flags.Get("--role"));
  const std::string name = flags.Get("--name");
  const std::string expires = flags.Get("--expires");
  if (!expires.empty() && !service::ParseUtcTime(expires)) {
    flags.Fail("--expires takes YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
  }
  if (!flags.error.empty() || !role || name.empty() ||
      name.find('\t') != std::string::npos || !flags.positional.empty()) {
    err << "vigil token: "
        << (!flags.error.empty() ? flags.error
                                 : "--role (ingest, analyst, viewer, admin) "
                                   "and --name are required")
        << "\n"
        << kUsage;
    return 2;
  }
  std::ifstream random("/dev/urandom", std::ios::binary);
  unsigned char bytes[32];
  if (!random.read(reinterpret_cast<char*>(bytes), sizeof(bytes))) {
    err << "vigil token: cannot read /dev/urandom\n";
    return 1;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token = "vgl_";
  for (unsigned char b : bytes) {
    token.push_back(kHex[b >> 4]);
    token.push_back(kHex[b & 15]);
  }
  out << "token: " << token << "\n"
      << "tokens file line:\n"
      << service::TokenStore::HashHex(token) << "\t" << service::RoleName(*role)
      << "\t" << name << (expires.empty() ? "" : "\texpires=" + expires)
      << "\n";
  return 0;
}

}  // namespace vigil::cli
