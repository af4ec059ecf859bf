// MessageJson (the direct printer) against protobuf's own JSON printer: the
// same text on every code point and on every vigil message type filled at
// random, maps in key order, and protobuf's output where the direct printer
// leaves a message to it.
#include "service/proto_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/message.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/timestamp.pb.h>
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "analyzers/analyzer.h"
#include "grpc/health/v1/health.pb.h"
#include "service/verdict_proto.h"
#include "tests/test_data.h"
#include "vigil/v1/admin.pb.h"
#include "vigil/v1/analysis.pb.h"
#include "vigil/v1/config.pb.h"
#include "vigil/v1/review.pb.h"
#include "vigil/v1/stats.pb.h"

namespace vigil::service {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

std::string Utf8(char32_t c) {
  std::string s;
  if (c < 0x80) {
    s += static_cast<char>(c);
  } else if (c < 0x800) {
    s += static_cast<char>(0xC0 | (c >> 6));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    s += static_cast<char>(0xE0 | (c >> 12));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (c >> 18));
    s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  }
  return s;
}

std::string Protobuf(const Message& m) {
  absl::StatusOr<std::string> json = ProtobufMessageJson(m);
  EXPECT_TRUE(json.ok()) << json.status();
  return json.ok() ? *json : "";
}

std::string Direct(const Message& m) {
  absl::StatusOr<std::string> json = MessageJson(m);
  EXPECT_TRUE(json.ok()) << json.status();
  return json.ok() ? *json : "";
}

TEST(ProtoJsonTest, EveryCodePointIsEscapedAsProtobufDoes) {
  // 256 code points a message, each between two letters, so that a wrong
  // escape shows which code point it was.
  v1::Verdict verdict;
  int compared = 0;
  for (char32_t block = 0; block <= 0x10FFFF; block += 256) {
    std::string text;
    for (char32_t c = block; c < block + 256; ++c) {
      if (c >= 0xD800 && c <= 0xDFFF) continue;
      text += "x" + Utf8(c);
      ++compared;
    }
    if (text.empty()) continue;
    verdict.set_lexicon_version(text);
    const std::string direct = Direct(verdict);
    const std::string protobuf = Protobuf(verdict);
    ASSERT_EQ(direct, protobuf)
        << "code points from U+" << std::hex << static_cast<uint32_t>(block);
  }
  EXPECT_EQ(compared, 0x110000 - 0x800);
}

// Fills any message at random: values at the edges of their types, strings
// with characters that need escaping, unknown enum numbers, nested messages
// to a depth of 3, and at most one entry per map (protobuf prints maps in
// hash order; MapsPrintInKeyOrder covers more).
class Filler {
 public:
  explicit Filler(uint64_t seed) : rng_(seed) {}

  void Fill(Message* m, int depth) {
    const Descriptor* type = m->GetDescriptor();
    const auto* r = m->GetReflection();
    if (type->full_name() == "google.protobuf.Timestamp") {
      // Protobuf's range: 0001-01-01 to 9999-12-31.
      r->SetInt64(m, type->FindFieldByName("seconds"),
                  Between(-62135596800, 253402300799));
      r->SetInt32(m, type->FindFieldByName("nanos"), Nanos());
      return;
    }
    if (type->full_name() == "google.protobuf.Duration") {
      const int64_t seconds = Between(-315576000000, 315576000000);
      const int32_t nanos = Nanos();
      r->SetInt64(m, type->FindFieldByName("seconds"), seconds);
      r->SetInt32(m, type->FindFieldByName("nanos"),
                  seconds < 0 ? -nanos : nanos);
      return;
    }
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* f = type->field(i);
      if (Below(4) == 0) continue;  // left at its default or unset
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && depth >= 3 &&
          !f->is_map()) {
        continue;
      }
      if (f->is_map()) {
        if (Below(2) == 0) {
          Message* entry = r->AddMessage(m, f);
          Set(entry, f->message_type()->map_key(), depth);
          Set(entry, f->message_type()->map_value(), depth);
        }
      } else if (f->is_repeated()) {
        for (int n = Below(4); n > 0; --n) Add(m, f, depth);
      } else {
        Set(m, f, depth);
      }
    }
  }

 private:
  int Below(int n) { return static_cast<int>(rng_() % n); }
  int64_t Between(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  int32_t Nanos() {
    switch (Below(4)) {
      case 0:
        return 0;
      case 1:
        return Below(1000) * 1000000;
      case 2:
        return Below(1000000) * 1000;
      default:
        return Below(1000000000);
    }
  }

  template <typename T>
  T Integer() {
    switch (Below(5)) {
      case 0:
        return 0;
      case 1:
        return std::numeric_limits<T>::min();
      case 2:
        return std::numeric_limits<T>::max();
      case 3:
        return static_cast<T>(Below(1000));
      default:
        return static_cast<T>(rng_());
    }
  }

  double Double() {
    static const double kEdges[] = {0.0,
                                    -0.0,
                                    0.1,
                                    1.0,
                                    -2.5,
                                    1e21,
                                    1e-7,
                                    123456789012345678.0,
                                    0.30000000000000004,
                                    std::numeric_limits<double>::max(),
                                    std::numeric_limits<double>::min(),
                                    std::numeric_limits<double>::denorm_min(),
                                    std::numeric_limits<double>::infinity(),
                                    -std::numeric_limits<double>::infinity(),
                                    std::numeric_limits<double>::quiet_NaN()};
    switch (Below(4)) {
      case 0:
        return kEdges[Below(std::size(kEdges))];
      case 1:
        return std::uniform_real_distribution<double>(0, 1)(rng_);
      case 2:
        return Below(100000) / 10000.0;
      default:
        return std::bit_cast<double>(static_cast<uint64_t>(rng_()));
    }
  }

  float Float() {
    switch (Below(3)) {
      case 0:
        return static_cast<float>(Double());
      case 1:
        return Below(1000) / 100.0f;
      default:
        return std::bit_cast<float>(static_cast<uint32_t>(rng_()));
    }
  }

  std::string String() {
    static const char32_t kChars[] = {
        'a',     'Z',     ' ',     '"',     '\\',    '/',     '<',     '>',
        '&',     '\'',    '\n',    '\t',    '\b',    '\f',    '\r',    0x01,
        0x1F,    0x7F,    0x80,    0x9F,    0xA0,    0xAD,    0xE9,    0x1EA1,
        0x111,   0x600,   0x603,   0x604,   0x6DD,   0x70F,   0x17B4,  0x17B6,
        0x200B,  0x200F,  0x2010,  0x2027,  0x2028,  0x202E,  0x202F,  0x2060,
        0x2064,  0x2065,  0x206A,  0x206F,  0xFEFF,  0xFFF9,  0xFFFB,  0xFFFC,
        0xFFFD,  0xFFFF,  0x10000, 0x1D173, 0x1D17A, 0x1F600, 0xE0001, 0xE0020,
        0xE007F, 0x10FFFF};
    std::string s;
    for (int n = Below(9); n > 0; --n) {
      char32_t c;
      if (Below(4) == 0) {
        do {
          c = static_cast<char32_t>(Between(0, 0x10FFFF));
        } while (c >= 0xD800 && c <= 0xDFFF);
      } else {
        c = kChars[Below(std::size(kChars))];
      }
      s += Utf8(c);
    }
    return s;
  }

  int Enum(const FieldDescriptor* f) {
    if (Below(8) == 0) return 1000 + Below(10);  // a number with no name
    const auto* e = f->enum_type();
    return e->value(Below(e->value_count()))->number();
  }

  // Sets singular field `f`, or adds an element to repeated field `f`, to
  // a random value.
  void Set(Message* m, const FieldDescriptor* f, int depth) {
    Put(m, f, depth, false);
  }
  void Add(Message* m, const FieldDescriptor* f, int depth) {
    Put(m, f, depth, true);
  }
  void Put(Message* m, const FieldDescriptor* f, int depth, bool add) {
    const auto* r = m->GetReflection();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: {
        const int32_t v = Integer<int32_t>();
        return add ? r->AddInt32(m, f, v) : r->SetInt32(m, f, v);
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        const uint32_t v = Integer<uint32_t>();
        return add ? r->AddUInt32(m, f, v) : r->SetUInt32(m, f, v);
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        const int64_t v = Integer<int64_t>();
        return add ? r->AddInt64(m, f, v) : r->SetInt64(m, f, v);
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        const uint64_t v = Integer<uint64_t>();
        return add ? r->AddUInt64(m, f, v) : r->SetUInt64(m, f, v);
      }
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        const double v = Double();
        return add ? r->AddDouble(m, f, v) : r->SetDouble(m, f, v);
      }
      case FieldDescriptor::CPPTYPE_FLOAT: {
        const float v = Float();
        return add ? r->AddFloat(m, f, v) : r->SetFloat(m, f, v);
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        const bool v = Below(2) == 1;
        return add ? r->AddBool(m, f, v) : r->SetBool(m, f, v);
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        const int v = Enum(f);
        return add ? r->AddEnumValue(m, f, v) : r->SetEnumValue(m, f, v);
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string v = String();
        return add ? r->AddString(m, f, std::move(v))
                   : r->SetString(m, f, std::move(v));
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return Fill(add ? r->AddMessage(m, f) : r->MutableMessage(m, f),
                    depth + 1);
    }
  }

  std::mt19937_64 rng_;
};

// Every message type of vigil's API and config, nested types included.
std::vector<const Descriptor*> VigilMessageTypes() {
  const google::protobuf::FileDescriptor* files[] = {
      v1::GetLexiconInfoRequest::descriptor()->file(),
      v1::Verdict::descriptor()->file(),
      v1::TlsConfig::descriptor()->file(),
      v1::ReviewItem::descriptor()->file(),
      v1::StatsFilter::descriptor()->file(),
      grpc::health::v1::HealthCheckRequest::descriptor()->file()};
  std::vector<const Descriptor*> types;
  std::vector<const Descriptor*> stack;
  for (const auto* file : files) {
    for (int i = 0; i < file->message_type_count(); ++i) {
      stack.push_back(file->message_type(i));
    }
  }
  while (!stack.empty()) {
    const Descriptor* d = stack.back();
    stack.pop_back();
    if (!d->options().map_entry()) types.push_back(d);
    for (int i = 0; i < d->nested_type_count(); ++i) {
      stack.push_back(d->nested_type(i));
    }
  }
  return types;
}

TEST(ProtoJsonTest, RandomMessagesOfEveryTypePrintAsProtobufDoes) {
  const std::vector<const Descriptor*> types = VigilMessageTypes();
  ASSERT_GE(types.size(), 60u);
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  int compared = 0;
  for (const Descriptor* type : types) {
    for (uint64_t seed = 0; seed < 200; ++seed) {
      std::unique_ptr<Message> m(factory->GetPrototype(type)->New());
      Filler(seed * 1000003 + compared).Fill(m.get(), 0);
      ASSERT_EQ(Direct(*m), Protobuf(*m))
          << type->full_name() << " seed " << seed << ": "
          << m->ShortDebugString();
      ++compared;
    }
  }
  EXPECT_EQ(compared, 200 * static_cast<int>(types.size()));
}

TEST(ProtoJsonTest, MapsPrintInKeyOrder) {
  v1::Verdict verdict;
  for (const char* category : {"threat", "hate", "spam", "insult", "scam"}) {
    (*verdict.mutable_scores())[category] = 0.25;
    (*verdict.mutable_severities())[category] = "mild";
  }
  const std::string direct = Direct(verdict);
  EXPECT_NE(
      direct.find("\"scores\":{\"hate\":0.25,\"insult\":0.25,\"scam\":0.25,"
                  "\"spam\":0.25,\"threat\":0.25}"),
      std::string::npos)
      << direct;
  // The same document as protobuf's, whose maps come in hash order.
  EXPECT_EQ(nlohmann::json::parse(direct),
            nlohmann::json::parse(Protobuf(verdict)));
}

TEST(ProtoJsonTest, WhatItLeavesToProtobufPrintsAsProtobufDoes) {
  // A string that is not UTF-8 (protobuf drops the bad bytes).
  v1::Verdict verdict;
  verdict.set_lexicon_version("ab\xff\xc3(cd");
  EXPECT_EQ(Direct(verdict), Protobuf(verdict));
  // A timestamp out of range is protobuf's error.
  google::protobuf::Timestamp late;
  late.set_seconds(253402300800);
  EXPECT_EQ(MessageJson(late).status(), ProtobufMessageJson(late).status());
  EXPECT_FALSE(MessageJson(late).ok());
  // Well-known types other than Timestamp and Duration.
  google::protobuf::Struct s;
  (*s.mutable_fields())["k"].set_number_value(1.5);
  EXPECT_EQ(Direct(s), Protobuf(s));
  EXPECT_EQ(Direct(s), "{\"k\":1.5}");
}

TEST(ProtoJsonTest, TimestampsAndDurations) {
  google::protobuf::Timestamp t;
  t.set_seconds(1700000000);
  t.set_nanos(5000000);
  EXPECT_EQ(Direct(t), "\"2023-11-14T22:13:20.005Z\"");
  google::protobuf::Duration d;
  d.set_seconds(-1);
  d.set_nanos(-500000000);
  EXPECT_EQ(Direct(d), "\"-1.500s\"");
  EXPECT_EQ(Direct(d), Protobuf(d));
}

// The verdicts `vigil classify` and the HTTP API print, on real posts (as
// written and without diacritics) and on generated hostile ones, with the
// shipped lexicons and model: the same JSON document as protobuf's printer
// gives, and the same text once the maps (whose order protobuf leaves to
// its hash) are taken out.
TEST(ProtoJsonTest, VerdictsOfRealAndHostilePostsPrintAsProtobufDoes) {
  std::vector<std::string> posts = testing::SharedPosts(3000);
  if (posts.empty()) {
    VIGIL_SKIP_WITHOUT_SHARED("../shared is absent: no real posts");
  }
  auto analyzer = Analyzer::Load(testing::SourcePath("lexicons"));
  ASSERT_TRUE(analyzer.ok()) << analyzer.status();
  const size_t real = posts.size();
  for (size_t i = 0; i < real; ++i) {
    posts.push_back((*analyzer)->normalizer().Normalize(posts[i]).folded());
  }
  for (std::string& post : testing::GeneratedPosts(3000, 23)) {
    posts.push_back(std::move(post));
  }
  int flagged = 0;
  for (const std::string& post : posts) {
    v1::Verdict verdict;
    ToProto(**analyzer, (*analyzer)->Analyze(post), &verdict);
    flagged += verdict.flagged();
    const std::string direct = Direct(verdict);
    ASSERT_EQ(nlohmann::json::parse(direct),
              nlohmann::json::parse(Protobuf(verdict)))
        << post;
    verdict.clear_scores();
    verdict.clear_severities();
    verdict.clear_learned_scores();
    ASSERT_EQ(Direct(verdict), Protobuf(verdict)) << post;
  }
  EXPECT_GT(flagged, 100);
}

}  // namespace
}  // namespace vigil::service
