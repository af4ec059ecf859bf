#include "service/config.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <fstream>
#include <sstream>

#include "analyzers/util/strings.h"
#include "vigil/v1/config.pb.h"

namespace vigil::service {
namespace {

// Keeps the first parse error, as path:line:column: message.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  explicit FirstError(std::string path) : path_(std::move(path)) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (error_.empty()) {
      error_ = StrCat(path_, ":", line + 1, ":", column + 1, ": ", message);
    }
  }
  const std::string& error() const { return error_; }

 private:
  std::string path_;
  std::string error_;
};

}  // namespace

absl::Status ApplyConfigFile(const std::string& path, ServerOptions* options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(path + ": cannot read config file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  v1::ServerConfig config;
  google::protobuf::TextFormat::Parser parser;
  FirstError errors(path);
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(buffer.str(), &config)) {
    return absl::InvalidArgumentError(
        errors.error().empty() ? path + ": invalid config" : errors.error());
  }
  if (!config.listen().empty()) options->listen = config.listen();
  if (!config.lexicons().empty()) options->lexicon_dir = config.lexicons();
  if (!config.tokens().empty()) options->tokens_path = config.tokens();
  if (!config.tls().cert().empty())
    options->tls_cert_path = config.tls().cert();
  if (!config.tls().key().empty()) options->tls_key_path = config.tls().key();
  if (!config.tls().client_ca().empty()) {
    options->tls_client_ca_path = config.tls().client_ca();
  }
  if (!config.store().empty()) options->store_url = config.store();
  if (!config.metrics_listen().empty()) {
    options->metrics_listen = config.metrics_listen();
  }
  if (!config.http_listen().empty()) {
    options->http_listen = config.http_listen();
  }
  if (!config.health_listen().empty()) {
    options->health_listen = config.health_listen();
  }
  if (config.lexicon_watch_seconds() > 0) {
    options->lexicon_watch_interval =
        std::chrono::seconds(config.lexicon_watch_seconds());
  }
  if (config.retention_hours() > 0) {
    options->retention = std::chrono::hours(config.retention_hours());
  }
  if (config.sample_rate() != 0) {
    if (!(config.sample_rate() > 0 && config.sample_rate() <= 1)) {
      return absl::InvalidArgumentError(
          path + ": sample_rate must be a number from 0 to 1");
    }
    options->sample_rate = config.sample_rate();
  }
  if (!config.sample_key().empty()) options->sample_key = config.sample_key();
  if (config.no_campaigns()) options->campaigns = false;
  const v1::LimitsConfig& limits = config.limits();
  if (limits.max_post_bytes() > 0)
    options->max_post_bytes = limits.max_post_bytes();
  if (limits.max_batch_posts() > 0) {
    options->max_batch_posts = limits.max_batch_posts();
  }
  if (limits.max_in_flight() > 0) {
    if (limits.max_in_flight() > 1000000) {
      return absl::InvalidArgumentError(
          path + ": limits.max_in_flight must be at most 1000000");
    }
    options->max_in_flight = static_cast<int>(limits.max_in_flight());
  }
  if (limits.max_streams() > 0) {
    if (limits.max_streams() > 1000000) {
      return absl::InvalidArgumentError(
          path + ": limits.max_streams must be at most 1000000");
    }
    options->max_streams = static_cast<int>(limits.max_streams());
  }
  if (limits.max_message_bytes() > 0) {
    if (limits.max_message_bytes() > (1u << 30)) {
      return absl::InvalidArgumentError(
          path + ": limits.max_message_bytes must be at most 1 GiB");
    }
    options->max_message_bytes = static_cast<int>(limits.max_message_bytes());
  }
  if (limits.http_max_connections() > 0) {
    if (limits.http_max_connections() > 100000) {
      return absl::InvalidArgumentError(
          path + ": limits.http_max_connections must be at most 100000");
    }
    options->http_max_connections =
        static_cast<int>(limits.http_max_connections());
  }
  if (limits.http_max_connections_per_client() > 0) {
    if (limits.http_max_connections_per_client() > 100000) {
      return absl::InvalidArgumentError(
          path +
          ": limits.http_max_connections_per_client must be at most "
          "100000");
    }
    options->http_max_connections_per_client =
        static_cast<int>(limits.http_max_connections_per_client());
  }
  if (limits.http_read_timeout_ms() > 0) {
    options->http_read_timeout =
        std::chrono::milliseconds(limits.http_read_timeout_ms());
  }
  if (limits.http_request_timeout_ms() > 0) {
    options->http_request_timeout =
        std::chrono::milliseconds(limits.http_request_timeout_ms());
  }
  if (limits.http_keep_alive_seconds() > 0) {
    options->http_keep_alive_timeout =
        std::chrono::seconds(limits.http_keep_alive_seconds());
  }
  if (limits.grpc_memory_bytes() > 0) {
    if (limits.grpc_memory_bytes() < (uint64_t{16} << 20)) {
      return absl::InvalidArgumentError(
          path + ": limits.grpc_memory_bytes must be at least 16 MiB");
    }
    options->grpc_memory_bytes = limits.grpc_memory_bytes();
  }
  if (limits.grpc_handshake_timeout_ms() > 0) {
    options->grpc_handshake_timeout =
        std::chrono::milliseconds(limits.grpc_handshake_timeout_ms());
  }
  if (limits.grpc_max_connection_idle_ms() > 0) {
    options->grpc_max_connection_idle =
        std::chrono::milliseconds(limits.grpc_max_connection_idle_ms());
  }
  if (limits.grpc_max_connection_age_ms() > 0) {
    options->grpc_max_connection_age =
        std::chrono::milliseconds(limits.grpc_max_connection_age_ms());
  }
  return absl::OkStatus();
}

}  // namespace vigil::service
