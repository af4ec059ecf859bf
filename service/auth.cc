#include "service/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <fstream>
#include <sstream>

#include "analyzers/util/strings.h"

namespace vigil::service {
namespace {

constexpr std::string_view kRoleNames[] = {"ingest", "analyst", "viewer",
                                           "admin"};

std::array<uint8_t, 32> Sha256(std::string_view data) {
  std::array<uint8_t, 32> out;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         out.data());
  return out;
}

bool ParseHex(std::string_view hex, std::array<uint8_t, 32>* out) {
  if (hex.size() != 64) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < 32; ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return true;
}

}  // namespace

std::optional<Role> ParseRole(std::string_view name) {
  for (size_t i = 0; i < std::size(kRoleNames); ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

std::string_view RoleName(Role role) {
  return kRoleNames[static_cast<int>(role)];
}

std::optional<std::chrono::system_clock::time_point> ParseUtcTime(
    std::string_view text) {
  // YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, digits where digits belong.
  const bool date_only = text.size() == 10;
  if (!date_only && (text.size() != 20 || text[10] != 'T' || text[13] != ':' ||
                     text[16] != ':' || text[19] != 'Z')) {
    return std::nullopt;
  }
  if (text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&text](size_t at, size_t n, int* out) {
    *out = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      *out = *out * 10 + (text[i] - '0');
    }
    return true;
  };
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!number(0, 4, &year) || !number(5, 2, &month) || !number(8, 2, &day)) {
    return std::nullopt;
  }
  if (!date_only && (!number(11, 2, &hour) || !number(14, 2, &minute) ||
                     !number(17, 2, &second))) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(year),
                                        std::chrono::month(month),
                                        std::chrono::day(day)};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  // system_clock counts nanoseconds in 64 bits: it ends in 2262.
  if (year >= 2262) return std::chrono::system_clock::time_point::max();
  return std::chrono::sys_days(ymd) + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second);
}

bool Allowed(Role role, Rpc rpc) {
  if (role == Role::kAdmin) return true;
  switch (rpc) {
    case Rpc::kAnalyze:
    case Rpc::kAnalyzeBatch:
    case Rpc::kAnalyzeStream:
      return role == Role::kIngest;
    case Rpc::kGetLexiconInfo:
      return true;
    case Rpc::kReloadLexicons:
    case Rpc::kBacktest:
      return false;
    case Rpc::kReviewRead:
    case Rpc::kReviewWrite:
      return role == Role::kAnalyst;
    case Rpc::kStatsRead:
      return role == Role::kAnalyst || role == Role::kViewer;
  }
  return false;
}

absl::StatusOr<TokenStore> TokenStore::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(path + ": cannot read tokens file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string contents = buffer.str();
  TokenStore store;
  int number = 0;
  for (std::string_view line : SplitChar(contents, '\n')) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = StrCat(path, ":", number, ": ");
    std::vector<std::string_view> cols = SplitChar(line, '\t');
    if (cols.size() != 3 && cols.size() != 4) {
      return absl::InvalidArgumentError(
          where + "expected sha256<TAB>role<TAB>name[<TAB>expires=DATE]");
    }
    Entry e;
    if (!ParseHex(cols[0], &e.hash)) {
      return absl::InvalidArgumentError(
          where + "the token hash must be 64 lowercase hex digits (sha256)");
    }
    std::optional<Role> role = ParseRole(cols[1]);
    if (!role) {
      return absl::InvalidArgumentError(
          StrCat(where, "unknown role '", cols[1],
                 "' (ingest, analyst, viewer, admin)"));
    }
    e.role = *role;
    e.name = std::string(cols[2]);
    if (e.name.empty()) return absl::InvalidArgumentError(where + "empty name");
    if (cols.size() == 4) {
      constexpr std::string_view kExpires = "expires=";
      std::optional<std::chrono::system_clock::time_point> expires;
      if (cols[3].substr(0, kExpires.size()) == kExpires) {
        expires = ParseUtcTime(cols[3].substr(kExpires.size()));
      }
      if (!expires) {
        return absl::InvalidArgumentError(
            where +
            "the fourth field is expires=YYYY-MM-DD or "
            "expires=YYYY-MM-DDTHH:MM:SSZ (UTC)");
      }
      e.expires = expires;
    }
    store.entries_.push_back(std::move(e));
  }
  return store;
}

std::string TokenStore::HashHex(std::string_view token) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (uint8_t b : Sha256(token)) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 15]);
  }
  return hex;
}

const TokenStore::Entry* TokenStore::Find(std::string_view token) const {
  const std::array<uint8_t, 32> hash = Sha256(token);
  const Entry* found = nullptr;
  for (const Entry& e : entries_) {
    // CRYPTO_memcmp takes the same time wherever the bytes differ.
    if (CRYPTO_memcmp(e.hash.data(), hash.data(), hash.size()) == 0) {
      found = &e;
    }
  }
  return found;
}

grpc::Status Authorizer::Check(const grpc::CallbackServerContext& context,
                               Rpc rpc, std::string* who) const {
  if (!tokens_) {
    if (who != nullptr) *who = "local";
    return grpc::Status::OK;
  }
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  std::string_view value;
  if (it != metadata.end()) value = {it->second.data(), it->second.size()};
  // The scheme is case-insensitive (RFC 7235); spaces around the token go.
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; };
  bool bearer = value.size() > 7;
  for (size_t i = 0; bearer && i < 6; ++i)
    bearer = lower(value[i]) == "bearer"[i];
  bearer = bearer && value[6] == ' ';
  if (!bearer) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "missing 'authorization: Bearer <token>' metadata");
  }
  std::string_view token = value.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  const TokenStore::Entry* entry = tokens_->Find(token);
  if (entry == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown token");
  }
  if (entry->expires && std::chrono::system_clock::now() >= *entry->expires) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "token expired");
  }
  if (!Allowed(entry->role, rpc)) {
    return grpc::Status(
        grpc::StatusCode::PERMISSION_DENIED,
        StrCat("role ", RoleName(entry->role), " may not call this method"));
  }
  if (who != nullptr) *who = entry->name;
  return grpc::Status::OK;
}

}  // namespace vigil::service
