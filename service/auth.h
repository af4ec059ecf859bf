// Authentication and authorization: bearer tokens, stored hashed, mapped to
// roles; every RPC names the roles that may call it.
//
// Tokens file (one token a line, '#' comments):
//   <sha256 of the token, 64 hex digits><TAB><role><TAB><name>
// role: ingest, analyst, viewer or admin; name: who holds it (the analyst
// identity recorded in the review store). `vigil token --role R --name N`
// makes a token and prints its line. Clients send
// "authorization: Bearer <token>" metadata.
//
// Thread safety: immutable after Load(); Check() is const.
#ifndef VIGIL_SERVICE_AUTH_H_
#define VIGIL_SERVICE_AUTH_H_

#include <grpcpp/grpcpp.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace vigil::service {

enum class Role : uint8_t { kIngest, kAnalyst, kViewer, kAdmin };

// "ingest", ... ; nullopt for unknown names.
std::optional<Role> ParseRole(std::string_view name);
std::string_view RoleName(Role role);

// The RPCs, for the permission table.
enum class Rpc : uint8_t {
  kAnalyze,
  kAnalyzeBatch,
  kAnalyzeStream,
  kGetLexiconInfo,
  kReloadLexicons,
  kBacktest,
  // ReviewService: reads, then workflow steps.
  kReviewRead,
  kReviewWrite,
  // StatsService.
  kStatsRead,
};

// "2026-12-31" (midnight UTC) or "2026-12-31T18:00:00Z"; nullopt when
// malformed or not a real date.
std::optional<std::chrono::system_clock::time_point> ParseUtcTime(
    std::string_view text);

// True when `role` may call `rpc`: analysis is for ingest, lexicon info for
// every role, the review queue (reading and working it) for analysts,
// reloads for admin; admin may call everything. Viewers see statistics,
// never post text.
bool Allowed(Role role, Rpc rpc);

class TokenStore {
 public:
  struct Entry {
    std::array<uint8_t, 32> hash;
    Role role;
    std::string name;
    // From an optional fourth field "expires=YYYY-MM-DD[THH:MM:SSZ]" (UTC);
    // from then on the token is refused.
    std::optional<std::chrono::system_clock::time_point> expires;
  };

  // Reads a tokens file; errors name file:line.
  static absl::StatusOr<TokenStore> Load(const std::string& path);

  // SHA-256 of `token`, as 64 lowercase hex digits.
  static std::string HashHex(std::string_view token);

  // The entry whose hash is the token's, or null. Compares against every
  // entry in constant time, whatever matches.
  const Entry* Find(std::string_view token) const;

  size_t size() const { return entries_.size(); }

 private:
  std::vector<Entry> entries_;
};

class Authorizer {
 public:
  // Without a token store every call is allowed (the server only allows
  // that on loopback).
  explicit Authorizer(std::optional<TokenStore> tokens)
      : tokens_(std::move(tokens)) {}

  // OK when the call's bearer token maps to a role allowed to call `rpc`
  // (its holder's name goes to `who`); UNAUTHENTICATED for a missing or
  // unknown token, PERMISSION_DENIED for a role not allowed.
  grpc::Status Check(const grpc::CallbackServerContext& context, Rpc rpc,
                     std::string* who = nullptr) const;

  bool enabled() const { return tokens_.has_value(); }

 private:
  std::optional<TokenStore> tokens_;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_AUTH_H_
