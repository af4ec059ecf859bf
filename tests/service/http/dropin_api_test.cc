// The drop-in APIs over HTTP (service/http/dropin_api.h): OpenAI's
// /v1/moderations and Perspective's comments:analyze shapes, their
// category mappings, errors in the originals' shapes, tokens and roles,
// storing only named posts, and the metrics they count under.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "nlohmann/json.hpp"
#include "service/server.h"
#include "tests/service/http_get.h"
#include "tests/service/test_server.h"
#include "tests/test_data.h"
#include "vigil/v1/review.grpc.pb.h"

namespace vigil::service {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing::HttpRequest;
using testing::HttpResponse;

constexpr char kInsult[] = "Thằng ngu vcl";
constexpr char kThreat[] = "tao sẽ giết mày";
constexpr char kClean[] = "hôm nay trời đẹp quá";
constexpr size_t kMaxPostBytes = 100 << 10;

class DropInApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tokens_path_ =
        new std::string(::testing::TempDir() + "/vigil_dropin_tokens_" +
                        std::to_string(getpid()));
    testing::WriteTokensFile(*tokens_path_, {{"tok-ingest", "ingest", "pipe"},
                                             {"tok-analyst", "analyst", "ann"},
                                             {"tok-viewer", "viewer", "vic"}});
    ServerOptions options = testing::TestServerOptions();
    options.lexicon_dir = testing::SourcePath("lexicons");
    options.tokens_path = *tokens_path_;
    options.http_listen = "127.0.0.1:0";
    options.metrics_listen = "127.0.0.1:0";
    options.max_post_bytes = kMaxPostBytes;
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
  }
  static void TearDownTestSuite() {
    if (server_ != nullptr) server_->Shutdown();
    delete server_;
    unlink(tokens_path_->c_str());
    delete tokens_path_;
  }

  static HttpResponse Moderate(const std::string& body,
                               const std::string& token = "tok-ingest") {
    return HttpRequest(
        server_->http_port(), "POST", "/v1/moderations",
        "Content-Type: application/json\r\n" +
            (token.empty() ? std::string()
                           : "Authorization: Bearer " + token + "\r\n"),
        body);
  }
  static HttpResponse Analyze(const std::string& body,
                              const std::string& key = "tok-ingest") {
    return HttpRequest(
        server_->http_port(), "POST",
        "/v1alpha1/comments:analyze" + (key.empty() ? "" : "?key=" + key),
        "Content-Type: application/json\r\n", body);
  }
  static json Body(const HttpResponse& r) {
    json j = json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.body;
    return j;
  }
  // Items in the review queue now.
  static int Stored() {
    const HttpResponse r = HttpRequest(
        server_->http_port(), "POST", "/api/vigil.v1.ReviewService/ListQueue",
        "Authorization: Bearer tok-analyst\r\n", R"({"page_size": 500})");
    return static_cast<int>(Body(r)["items"].size());
  }

  static std::string* tokens_path_;
  static Server* server_;
};

std::string* DropInApiTest::tokens_path_ = nullptr;
Server* DropInApiTest::server_ = nullptr;

TEST_F(DropInApiTest, ModerationsAnswerInOpenAisShape) {
  const std::string body = json{{"model", "omni-moderation-latest"},
                                {"input", {kInsult, kClean, kThreat}}}
                               .dump();
  const HttpResponse r = Moderate(body);
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = Body(r);
  EXPECT_EQ(j["model"], "omni-moderation-latest");
  EXPECT_EQ(j["id"].get<std::string>().rfind("modr-", 0), 0u);
  ASSERT_EQ(j["results"].size(), 3u);
  const json& insult = j["results"][0];
  EXPECT_TRUE(insult["flagged"]);
  EXPECT_TRUE(insult["categories"]["harassment"]);
  EXPECT_FALSE(insult["categories"]["violence"]);
  EXPECT_GT(insult["category_scores"]["harassment"].get<double>(), 0.5);
  EXPECT_EQ(insult["category_applied_input_types"]["harassment"],
            json::array({"text"}));
  // Categories vigil does not judge: false, score 0, applied to nothing.
  for (const char* name : {"sexual/minors", "violence/graphic",
                           "self-harm/instructions", "illicit/violent"}) {
    EXPECT_FALSE(insult["categories"][name]) << name;
    EXPECT_EQ(insult["category_scores"][name], 0.0) << name;
    EXPECT_EQ(insult["category_applied_input_types"][name], json::array())
        << name;
  }
  // vigil's own verdict rides along, with its spans.
  ASSERT_FALSE(insult["vigil"]["hits"].empty());
  EXPECT_GE(insult["vigil"]["hits"][0]["end"].get<int>(), 1);
  const json& clean = j["results"][1];
  EXPECT_FALSE(clean["flagged"]);
  for (const auto& [name, flagged] : clean["categories"].items()) {
    EXPECT_FALSE(flagged) << name;
  }
  const json& threat = j["results"][2];
  EXPECT_TRUE(threat["categories"]["violence"]);
  EXPECT_TRUE(threat["categories"]["harassment/threatening"]);
  EXPECT_FALSE(threat["categories"]["hate/threatening"]);  // no hate
}

TEST_F(DropInApiTest, ModerationInputShapes) {
  // Parts are one input with one result, as OpenAI reads them: harm in
  // a later part is not lost.
  const json parts =
      Body(Moderate(json{{"input",
                          {{{"type", "text"}, {"text", kClean}},
                           {{"type", "text"}, {"text", kInsult}}}}}
                        .dump()));
  ASSERT_EQ(parts["results"].size(), 1u);
  EXPECT_TRUE(parts["results"][0]["flagged"]);
  EXPECT_TRUE(parts["results"][0]["categories"]["harassment"]);
  EXPECT_EQ(parts["model"], "omni-moderation-latest");  // the default
  const json one = Body(Moderate(json{{"input", kInsult}}.dump()));
  ASSERT_EQ(one["results"].size(), 1u);
  EXPECT_TRUE(one["results"][0]["flagged"]);

  // Errors in OpenAI's shape.
  struct Case {
    std::string body;
    int status;
    std::string has;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"input": [{"type": "image_url", "image_url": {"url": "x"}}]})",
            400, "image_url"},
           {"not json", 400, "could not parse"},
           {R"({"model": "x"})", 400, "Missing required parameter: 'input'"},
           {R"({"input": []})", 400, "Invalid 'input'"},
           {R"({"input": [1]})", 400, "Invalid 'input[0]'"},
           {R"({"input": ["a", {"type": "text", "text": "b"}]})", 400,
            "Invalid 'input[1]'"},
           {R"({"input": ["a"], "vigil": {"post_ids": ["a", "b"]}})", 400,
            "post_ids"},
       }) {
    const HttpResponse r = Moderate(c.body);
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
    const json j = Body(r);
    EXPECT_EQ(j["error"]["type"], "invalid_request_error") << r.body;
    EXPECT_THAT(j["error"]["message"].get<std::string>(), HasSubstr(c.has));
  }
}

TEST_F(DropInApiTest, TokensAndRolesAsTheOriginalsAnswer) {
  const std::string body = json{{"input", kInsult}}.dump();
  EXPECT_EQ(Moderate(body, "tok-viewer").status, 403);
  const HttpResponse unknown = Moderate(body, "no-such-token");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(Body(unknown)["error"]["code"], "invalid_api_key");
  EXPECT_EQ(Moderate(body, "").status, 401);

  const std::string comment =
      json{{"comment", {{"text", kInsult}}},
           {"requestedAttributes", {{"TOXICITY", json::object()}}}}
          .dump();
  const HttpResponse missing = Analyze(comment, "");
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(Body(missing)["error"]["status"], "PERMISSION_DENIED");
  const HttpResponse bad = Analyze(comment, "no-such-token");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Body(bad)["error"]["message"],
            "API key not valid. Please pass a valid API key.");
  EXPECT_EQ(Body(bad)["error"]["details"][0]["reason"], "API_KEY_INVALID");
  EXPECT_EQ(Analyze(comment, "tok-viewer").status, 403);
}

TEST_F(DropInApiTest, PerspectiveScoresAttributesAndSpans) {
  // An emoji (two UTF-16 units) before the insult: spans count UTF-16.
  const std::string text = std::string("😀 ") + kInsult;
  const json request = {{"comment", {{"text", text}}},
                        {"requestedAttributes",
                         {{"TOXICITY", json::object()},
                          {"INSULT", json::object()},
                          {"THREAT", json::object()},
                          {"SEVERE_TOXICITY", json::object()}}},
                        {"languages", {"vi"}},
                        {"spanAnnotations", true},
                        {"doNotStore", true}};
  const HttpResponse r = Analyze(request.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = Body(r);
  const json& scores = j["attributeScores"];
  EXPECT_GT(scores["INSULT"]["summaryScore"]["value"].get<double>(), 0.5);
  EXPECT_EQ(scores["INSULT"]["summaryScore"]["type"], "PROBABILITY");
  EXPECT_GT(scores["TOXICITY"]["summaryScore"]["value"].get<double>(), 0.5);
  EXPECT_LT(scores["THREAT"]["summaryScore"]["value"].get<double>(), 0.5);
  EXPECT_EQ(j["languages"], json::array({"vi"}));
  // Every INSULT span cuts a word of the insult out of the UTF-16 text.
  const json& spans = scores["INSULT"]["spanScores"];
  ASSERT_FALSE(spans.empty());
  for (const json& span : spans) {
    EXPECT_GE(span["begin"].get<int>(), 3);  // after "😀 " (3 units)
    EXPECT_LE(span["end"].get<int>(), 3 + 13);
  }
  // A threat is severe; this insult's evidence is not.
  const json threat = Body(Analyze(
      json{{"comment", {{"text", kThreat}}},
           {"requestedAttributes",
            {{"THREAT", json::object()}, {"SEVERE_TOXICITY", json::object()}}}}
          .dump()));
  EXPECT_GT(
      threat["attributeScores"]["SEVERE_TOXICITY"]["summaryScore"]["value"]
          .get<double>(),
      0.5);
  EXPECT_FALSE(threat["attributeScores"]["THREAT"].contains("spanScores"));
  // scoreThreshold leaves out an attribute scoring below it.
  const json thresholded = Body(Analyze(
      json{{"comment", {{"text", kClean}}},
           {"requestedAttributes", {{"TOXICITY", {{"scoreThreshold", 0.5}}}}}}
          .dump()));
  EXPECT_TRUE(thresholded["attributeScores"].empty()) << thresholded.dump();
}

TEST_F(DropInApiTest, PerspectiveRefusesWhatItDoesNotKnow) {
  struct Case {
    json request;
    std::string error_type;
  };
  for (const Case& c : std::vector<Case>{
           {{{"comment", {{"text", "x"}}},
             {"requestedAttributes", {{"FLIRTATION", json::object()}}}},
            "UNKNOWN_ATTRIBUTE"},
           {{{"comment", {{"text", "x"}}},
             {"requestedAttributes", {{"TOXICITY", json::object()}}},
             {"languages", {"en"}}},
            "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"},
           {{{"comment", {{"text", "x"}}},
             {"requestedAttributes", json::object()}},
            "NO_REQUESTED_ATTRIBUTES"},
           {{{"requestedAttributes", {{"TOXICITY", json::object()}}}},
            "COMMENT_EMPTY"},
           {{{"comment", {{"text", ""}}},
             {"requestedAttributes", {{"TOXICITY", json::object()}}}},
            "COMMENT_EMPTY"},
       }) {
    const HttpResponse r = Analyze(c.request.dump());
    EXPECT_EQ(r.status, 400) << c.request.dump() << " -> " << r.body;
    const json j = Body(r);
    EXPECT_EQ(j["error"]["status"], "INVALID_ARGUMENT");
    EXPECT_EQ(j["error"]["details"][0]["errorType"], c.error_type) << r.body;
  }
  EXPECT_EQ(Analyze("{").status, 400);
  // Perspective's other methods are not served, in Google's error shape.
  const HttpResponse suggest =
      HttpRequest(server_->http_port(), "POST",
                  "/v1alpha1/comments:suggestscore?key=tok-ingest",
                  "Content-Type: application/json\r\n", "{}");
  EXPECT_EQ(suggest.status, 404);
  EXPECT_EQ(Body(suggest)["error"]["status"], "NOT_FOUND");
  // The key may come in Google's header instead of ?key=.
  const HttpResponse header_key = HttpRequest(
      server_->http_port(), "POST", "/v1alpha1/comments:analyze",
      "Content-Type: application/json\r\nX-Goog-Api-Key: tok-ingest\r\n",
      json{{"comment", {{"text", kInsult}}},
           {"requestedAttributes", {{"INSULT", json::object()}}}}
          .dump());
  EXPECT_EQ(header_key.status, 200) << header_key.body;
}

TEST_F(DropInApiTest, OnlyNamedPostsAreStored) {
  const int before = Stored();
  ASSERT_EQ(Moderate(json{{"input", {kInsult}}}.dump()).status, 200);
  ASSERT_EQ(Analyze(json{{"comment", {{"text", kInsult}}},
                         {"requestedAttributes", {{"INSULT", json::object()}}},
                         {"clientToken", "c-1"},
                         {"doNotStore", true}}
                        .dump())
                .status,
            200);
  EXPECT_EQ(Stored(), before);  // dry runs
  ASSERT_EQ(
      Moderate(json{{"input", {kInsult}},
                    {"vigil", {{"source", "forum"}, {"post_ids", {"m-1"}}}}}
                   .dump())
          .status,
      200);
  ASSERT_EQ(Analyze(json{{"comment", {{"text", kThreat}}},
                         {"requestedAttributes", {{"THREAT", json::object()}}},
                         {"clientToken", "p-1"},
                         {"communityId", "blog"}}
                        .dump())
                .status,
            200);
  EXPECT_EQ(Stored(), before + 2);
}

TEST_F(DropInApiTest, OversizedBodiesGetTheOriginalsShape) {
  const std::string big(2 << 20, 'a');  // over the 1 MiB body limit
  const HttpResponse openai = Moderate(big);
  EXPECT_EQ(openai.status, 413);
  EXPECT_EQ(Body(openai)["error"]["type"], "invalid_request_error");
  const HttpResponse perspective = Analyze(big);
  EXPECT_EQ(perspective.status, 413);
  EXPECT_EQ(Body(perspective)["error"]["code"], 413);
  // A post over the server's post limit (in a body under the HTTP limit).
  const std::string long_post(kMaxPostBytes + 1, 'a');
  const HttpResponse too_long = Moderate(json{{"input", long_post}}.dump());
  EXPECT_EQ(too_long.status, 400) << too_long.body.substr(0, 200);
  EXPECT_THAT(Body(too_long)["error"]["message"].get<std::string>(),
              HasSubstr("the limit is"));
  const HttpResponse too_long_comment = Analyze(json{
      {"comment", {{"text", long_post}}},
      {"requestedAttributes",
       {{"TOXICITY", json::object()}}}}.dump());
  EXPECT_EQ(too_long_comment.status, 400);
  EXPECT_EQ(Body(too_long_comment)["error"]["details"][0]["errorType"],
            "COMMENT_TOO_LONG");
}

TEST_F(DropInApiTest, CountedAndLoggedUnderTheirOwnNames) {
  ASSERT_EQ(Moderate(json{{"input", kClean}}.dump()).status, 200);
  ASSERT_EQ(
      Analyze(json{{"comment", {{"text", kClean}}},
                   {"requestedAttributes", {{"TOXICITY", json::object()}}}}
                  .dump())
          .status,
      200);
  const std::string metrics =
      testing::HttpGet(server_->metrics_port(), "/metrics");
  EXPECT_THAT(metrics, HasSubstr("method=\"openai.moderations\""));
  EXPECT_THAT(metrics, HasSubstr("method=\"perspective.analyze\""));
}

}  // namespace
}  // namespace vigil::service
