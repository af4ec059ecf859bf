#include "service/http/dropin_api.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "analyzers/util/strings.h"
#include "nlohmann/json.hpp"
#include "service/http/dropin_categories.h"
#include "service/http/json_rpc.h"
#include "service/proto_json.h"

namespace vigil::service {
namespace {

using json = nlohmann::ordered_json;

// Metadata naming the drop-in API on vigil's own AnalyzeBatch call, so its
// metrics and logs carry the endpoint (AnalysisServiceImpl reads it).
constexpr char kDropInKey[] = "x-vigil-dropin";

// Fields read without exceptions: a field of another type reads as absent.
std::string StringField(const json& object, const char* key,
                        std::string fallback = "") {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>()
                                               : fallback;
}

bool BoolField(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

// JSON text; invalid UTF-8 (never expected: every string came through the
// parser or the verdict) is replaced rather than thrown.
std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

struct Score {
  double value = 0;
  bool flagged = false;
};

// A mapped category's score and flag from a verdict (dropin_categories.h).
Score ScoreOf(const v1::Verdict& verdict, const DropInCategory& category) {
  Score out;
  if (category.vigil.empty()) return out;
  out.value = category.all ? 1.0 : 0.0;
  out.flagged = category.all;
  for (std::string_view name : category.vigil) {
    const std::string key(name);
    double score = 0;
    if (auto it = verdict.scores().find(key); it != verdict.scores().end()) {
      score = it->second;
    }
    if (category.severe_only) {
      auto severity = verdict.severities().find(key);
      if (severity == verdict.severities().end() ||
          severity->second != "severe") {
        score = 0;
      }
    }
    const bool flagged = std::find(verdict.flagged_categories().begin(),
                                   verdict.flagged_categories().end(),
                                   key) != verdict.flagged_categories().end() &&
                         (!category.severe_only || score > 0);
    if (category.all) {
      out.value = std::min(out.value, score);
      out.flagged = out.flagged && flagged;
    } else {
      out.value = std::max(out.value, score);
      out.flagged = out.flagged || flagged;
    }
  }
  return out;
}

// UTF-16 code units in text[0, byte): Perspective's offsets.
uint32_t Utf16Offset(std::string_view text, uint32_t byte) {
  uint32_t units = 0;
  for (uint32_t i = 0; i < byte && i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    units += c >= 0xF0 ? 2 : 1;        // four bytes: a surrogate pair
  }
  return units;
}

// Analyzes `posts` with vigil's AnalyzeBatch (a dry run unless every post
// has an id), as the caller `authorization`.
grpc::Status Analyze(v1::AnalysisService::Stub& stub,
                     std::chrono::milliseconds deadline,
                     const std::vector<v1::Post>& posts,
                     std::string_view authorization, std::string_view api,
                     v1::AnalyzeBatchResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  if (!authorization.empty()) {
    context.AddMetadata("authorization", std::string(authorization));
  }
  context.AddMetadata(kDropInKey, std::string(api));
  v1::AnalyzeBatchRequest request;
  bool named = !posts.empty();
  for (const v1::Post& p : posts) {
    *request.add_posts() = p;
    named = named && !p.id().empty();
  }
  request.set_dry_run(!named);
  return stub.AnalyzeBatch(&context, request, response);
}

// vigil's verdict, as the extension field both shapes carry.
json VerdictJson(const v1::Verdict& verdict) {
  auto text = MessageJson(verdict);
  return text.ok() ? json::parse(*text, nullptr, false) : json::object();
}

// --- OpenAI -----------------------------------------------------------

DropInApi::Reply OpenAiError(int status, std::string_view message,
                             std::string_view type, const json& param,
                             const json& code) {
  json body = {{"error",
                {{"message", message},
                 {"type", type},
                 {"param", param},
                 {"code", code}}}};
  return {status, Dump(body)};
}

DropInApi::Reply OpenAiError(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAUTHENTICATED:
      return OpenAiError(401, status.error_message(), "invalid_request_error",
                         nullptr, "invalid_api_key");
    case grpc::StatusCode::PERMISSION_DENIED:
      return OpenAiError(403, status.error_message(), "invalid_request_error",
                         nullptr, "insufficient_permissions");
    case grpc::StatusCode::INVALID_ARGUMENT:
      return OpenAiError(400, status.error_message(), "invalid_request_error",
                         "input", nullptr);
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return OpenAiError(429, status.error_message(), "requests", nullptr,
                         "rate_limit_exceeded");
    default:
      return OpenAiError(HttpStatusFor(status.error_code()) >= 500
                             ? HttpStatusFor(status.error_code())
                             : 500,
                         status.error_message(), "server_error", nullptr,
                         nullptr);
  }
}

std::string ModerationId() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "modr-";
  for (int i = 0; i < 24; ++i) id.push_back(kHex[random() % 16]);
  return id;
}

// --- Perspective -------------------------------------------------------

DropInApi::Reply PerspectiveError(int code, std::string_view status,
                                  std::string_view message,
                                  const json& details = json::array()) {
  json error = {{"code", code}, {"message", message}, {"status", status}};
  if (!details.empty()) error["details"] = details;
  return {code, Dump(json{{"error", error}})};
}

json CommentAnalyzerError(std::string_view type) {
  return json::array(
      {{{"@type", "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"},
        {"errorType", type}}});
}

DropInApi::Reply PerspectiveError(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAUTHENTICATED:
      // As Google answers a key it does not know.
      return PerspectiveError(
          400, "INVALID_ARGUMENT",
          "API key not valid. Please pass a valid API key.",
          json::array({{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                        {"reason", "API_KEY_INVALID"},
                        {"domain", "googleapis.com"}}}));
    case grpc::StatusCode::PERMISSION_DENIED:
      return PerspectiveError(403, "PERMISSION_DENIED", status.error_message());
    case grpc::StatusCode::INVALID_ARGUMENT:
      // vigil refuses a post over its size limit ("... the limit is N"),
      // or an id it cannot store.
      return PerspectiveError(
          400, "INVALID_ARGUMENT", status.error_message(),
          status.error_message().find("the limit is") != std::string::npos
              ? CommentAnalyzerError("COMMENT_TOO_LONG")
              : json::array());
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return PerspectiveError(429, "RESOURCE_EXHAUSTED",
                              status.error_message());
    default:
      return PerspectiveError(503, "UNAVAILABLE", status.error_message());
  }
}

const DropInCategory* FindAttribute(std::string_view name) {
  for (const DropInCategory& a : PerspectiveAttributes()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

bool IsVietnamese(std::string language) {
  std::transform(language.begin(), language.end(), language.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return language == "vi" || language.rfind("vi-", 0) == 0 ||
         language.rfind("vi_", 0) == 0;
}

}  // namespace

std::optional<DropInApi::Reply> DropInApi::Refusal(std::string_view path,
                                                   int http_status,
                                                   std::string_view message) {
  if (path == "/v1/moderations") {
    return OpenAiError(http_status, message, "invalid_request_error", nullptr,
                       nullptr);
  }
  if (path.rfind("/v1alpha1/", 0) == 0) {
    return PerspectiveError(http_status,
                            http_status == 404   ? "NOT_FOUND"
                            : http_status == 413 ? "INVALID_ARGUMENT"
                                                 : "UNKNOWN",
                            message);
  }
  return std::nullopt;
}

DropInApi::DropInApi(std::shared_ptr<grpc::Channel> channel,
                     std::chrono::milliseconds deadline)
    : stub_(v1::AnalysisService::NewStub(std::move(channel))),
      deadline_(deadline) {}

DropInApi::Reply DropInApi::Moderations(std::string_view body,
                                        std::string_view authorization) const {
  const json request = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object()) {
    return OpenAiError(400,
                       "We could not parse the JSON body of your request. The "
                       "body must be a JSON object.",
                       "invalid_request_error", nullptr, nullptr);
  }
  if (!request.contains("input")) {
    return OpenAiError(400, "Missing required parameter: 'input'.",
                       "invalid_request_error", "input", nullptr);
  }
  // The inputs: a string, or an array of strings (one result each); or an
  // array of parts, which together are one input with one result (their
  // texts joined by newlines), as OpenAI reads them.
  std::vector<std::string> texts;
  const json& input = request["input"];
  const char* const kInputShape =
      "'input' must be a string, an array of strings, or an array of "
      "{\"type\": \"text\", \"text\": ...} parts";
  if (input.is_string()) {
    texts.push_back(input.get<std::string>());
  } else if (input.is_array() && !input.empty() && input[0].is_string()) {
    for (size_t i = 0; i < input.size(); ++i) {
      if (!input[i].is_string()) {
        return OpenAiError(400,
                           StrCat("Invalid 'input[", i, "]': ", kInputShape),
                           "invalid_request_error", "input", nullptr);
      }
      texts.push_back(input[i].get<std::string>());
    }
  } else if (input.is_array() && !input.empty()) {
    std::string joined;
    for (size_t i = 0; i < input.size(); ++i) {
      const json& part = input[i];
      if (part.is_object() && StringField(part, "type") == "text" &&
          part.contains("text") && part["text"].is_string()) {
        if (i > 0) joined += '\n';
        joined += part["text"].get<std::string>();
      } else if (part.is_object() && StringField(part, "type") == "image_url") {
        // As OpenAI's text-only moderation models answer an image.
        return OpenAiError(400,
                           StrCat("vigil moderates text only: input[", i,
                                  "] is an image_url part"),
                           "invalid_request_error", "input",
                           "unsupported_input_type");
      } else {
        return OpenAiError(400,
                           StrCat("Invalid 'input[", i, "]': ", kInputShape),
                           "invalid_request_error", "input", nullptr);
      }
    }
    texts.push_back(std::move(joined));
  } else {
    return OpenAiError(400, StrCat("Invalid 'input': ", kInputShape),
                       "invalid_request_error", "input", nullptr);
  }
  const std::string model =
      request.contains("model") && request["model"].is_string()
          ? request["model"].get<std::string>()
          : "omni-moderation-latest";
  // vigil's extension: store the posts under these ids.
  std::vector<v1::Post> posts(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) posts[i].set_text(texts[i]);
  if (request.contains("vigil") && request["vigil"].is_object()) {
    const json& ext = request["vigil"];
    if (ext.contains("post_ids")) {
      const json& ids = ext["post_ids"];
      if (!ids.is_array() || ids.size() != texts.size() ||
          !std::all_of(ids.begin(), ids.end(),
                       [](const json& id) { return id.is_string(); })) {
        return OpenAiError(400,
                           "'vigil.post_ids' must hold one string per input",
                           "invalid_request_error", "vigil.post_ids", nullptr);
      }
      for (size_t i = 0; i < texts.size(); ++i) {
        posts[i].set_id(ids[i].get<std::string>());
        posts[i].set_source(StringField(ext, "source", "openai"));
      }
    }
  }
  v1::AnalyzeBatchResponse analyzed;
  const grpc::Status status = Analyze(*stub_, deadline_, posts, authorization,
                                      "openai.moderations", &analyzed);
  if (!status.ok()) return OpenAiError(status);

  json results = json::array();
  for (const v1::AnalyzeResponse& r : analyzed.results()) {
    json categories = json::object(), scores = json::object(),
         applied = json::object();
    bool flagged = false;
    for (const DropInCategory& c : OpenAiCategories()) {
      const Score s = ScoreOf(r.verdict(), c);
      const std::string name(c.name);
      categories[name] = s.flagged;
      scores[name] = s.value;
      applied[name] = c.vigil.empty() ? json::array() : json::array({"text"});
      flagged = flagged || s.flagged;
    }
    // A post vigil flags only as profanity or spam has no OpenAI category;
    // `flagged` follows vigil's verdict all the same.
    results.push_back({{"flagged", flagged || r.verdict().flagged()},
                       {"categories", categories},
                       {"category_scores", scores},
                       {"category_applied_input_types", applied},
                       {"vigil", VerdictJson(r.verdict())}});
  }
  json response = {
      {"id", ModerationId()}, {"model", model}, {"results", results}};
  return {200, Dump(response)};
}

DropInApi::Reply DropInApi::PerspectiveAnalyze(std::string_view body,
                                               std::string_view key) const {
  if (key.empty()) {
    return PerspectiveError(403, "PERMISSION_DENIED",
                            "The request is missing a valid API key.");
  }
  const json request = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object()) {
    return PerspectiveError(400, "INVALID_ARGUMENT",
                            "Invalid JSON payload received.");
  }
  if (!request.contains("comment") || !request["comment"].is_object() ||
      !request["comment"].contains("text") ||
      !request["comment"]["text"].is_string()) {
    return PerspectiveError(400, "INVALID_ARGUMENT",
                            "Comment text was not specified.",
                            CommentAnalyzerError("COMMENT_EMPTY"));
  }
  const std::string text = request["comment"]["text"].get<std::string>();
  if (text.empty()) {
    return PerspectiveError(400, "INVALID_ARGUMENT",
                            "Comment text was not specified.",
                            CommentAnalyzerError("COMMENT_EMPTY"));
  }
  if (!request.contains("requestedAttributes") ||
      !request["requestedAttributes"].is_object() ||
      request["requestedAttributes"].empty()) {
    return PerspectiveError(400, "INVALID_ARGUMENT",
                            "Request must specify at least one attribute.",
                            CommentAnalyzerError("NO_REQUESTED_ATTRIBUTES"));
  }
  std::vector<std::pair<const DropInCategory*, double>> attributes;
  for (const auto& [name, config] : request["requestedAttributes"].items()) {
    const DropInCategory* attribute = FindAttribute(name);
    if (attribute == nullptr) {
      return PerspectiveError(400, "INVALID_ARGUMENT",
                              StrCat("Unknown attribute: ", name),
                              CommentAnalyzerError("UNKNOWN_ATTRIBUTE"));
    }
    double threshold = 0;
    if (config.is_object() && config.contains("scoreThreshold") &&
        config["scoreThreshold"].is_number()) {
      threshold = config["scoreThreshold"].get<double>();
    }
    attributes.emplace_back(attribute, threshold);
  }
  json languages = json::array({"vi"});
  if (request.contains("languages") && request["languages"].is_array() &&
      !request["languages"].empty()) {
    languages = request["languages"];
    const bool vietnamese =
        std::any_of(languages.begin(), languages.end(), [](const json& l) {
          return l.is_string() && IsVietnamese(l.get<std::string>());
        });
    if (!vietnamese) {
      std::string requested;
      for (const json& l : languages) {
        if (!requested.empty()) requested += ", ";
        requested += l.is_string() ? l.get<std::string>() : Dump(l);
      }
      return PerspectiveError(
          400, "INVALID_ARGUMENT",
          StrCat("Attribute ", attributes.front().first->name,
                 " does not support request languages: ", requested),
          CommentAnalyzerError("LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"));
    }
  }
  std::vector<v1::Post> posts(1);
  posts[0].set_text(text);
  posts[0].set_language_hint("vi");
  const bool store = !BoolField(request, "doNotStore") &&
                     request.contains("clientToken") &&
                     request["clientToken"].is_string() &&
                     !request["clientToken"].get<std::string>().empty();
  if (store) {
    posts[0].set_id(request["clientToken"].get<std::string>());
    posts[0].set_source(StringField(request, "communityId", "perspective"));
  }
  v1::AnalyzeBatchResponse analyzed;
  const grpc::Status status =
      Analyze(*stub_, deadline_, posts, StrCat("Bearer ", key),
              "perspective.analyze", &analyzed);
  if (!status.ok()) return PerspectiveError(status);
  const v1::Verdict& verdict = analyzed.results(0).verdict();
  const bool spans = BoolField(request, "spanAnnotations");

  json scores = json::object();
  for (const auto& [attribute, threshold] : attributes) {
    const Score s = ScoreOf(verdict, *attribute);
    if (s.value < threshold) continue;  // as Perspective leaves it out
    json entry = {
        {"summaryScore", {{"value", s.value}, {"type", "PROBABILITY"}}}};
    if (spans) {
      // One span per hit of the attribute's categories, scored with its
      // category's score (Perspective scores spans on their own; vigil's
      // evidence is the hit), in UTF-16 code units.
      std::map<std::pair<uint32_t, uint32_t>, double> by_span;
      for (const v1::Hit& hit : verdict.hits()) {
        if (std::find(attribute->vigil.begin(), attribute->vigil.end(),
                      hit.category()) == attribute->vigil.end()) {
          continue;
        }
        if (attribute->severe_only && hit.severity() != "severe") continue;
        auto score = verdict.scores().find(hit.category());
        const double value =
            score == verdict.scores().end() ? 0 : score->second;
        auto& best = by_span[{Utf16Offset(text, hit.begin()),
                              Utf16Offset(text, hit.end())}];
        best = std::max(best, value);
      }
      json span_scores = json::array();
      for (const auto& [span, value] : by_span) {
        span_scores.push_back(
            {{"begin", span.first},
             {"end", span.second},
             {"score", {{"value", value}, {"type", "PROBABILITY"}}}});
      }
      entry["spanScores"] = span_scores;
    }
    scores[std::string(attribute->name)] = entry;
  }
  json response = {{"attributeScores", scores},
                   {"languages", languages},
                   {"detectedLanguages", json::array({"vi"})},
                   {"vigil", VerdictJson(verdict)}};
  if (request.contains("clientToken")) {
    response["clientToken"] = request["clientToken"];
  }
  return {200, Dump(response)};
}

}  // namespace vigil::service
