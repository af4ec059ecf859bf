// A direct JSON printer for protobuf messages, walking them by reflection.
//
// protobuf 3.21's MessageToJsonString serializes the message to the wire
// format, resolves its type into a google.protobuf.Type, parses the wire
// bytes back through a tree of default-value nodes and renders that tree:
// several allocations per field, about a third of `vigil classify`'s time.
// This printer writes the same text in one pass over the message. Its rules
// are protobuf's JSON mapping with the options vigil prints with
// (.proto field names, primitive fields printed at their defaults):
//   - the fields outside oneofs in declaration order: repeated fields and
//     maps always ([] and {} when empty), a singular message field when
//     set, other scalars always; then, by field number, the members of
//     oneofs (proto3 `optional` fields among them) and the singular
//     Timestamp and Duration fields that are set (protobuf's printer places
//     what it did not lay out in advance after what it did);
//   - int64 and uint64 as quoted decimals, 32-bit integers as numbers, bool
//     as true/false, enums by name (by number when the value has no name),
//     bytes as padded base64;
//   - double as "%.15g" when that reads back to the same value, else
//     "%.17g" (protobuf's SimpleDtoa); float as "%.6g", else "%.9g"; NaN
//     and infinities as the strings "NaN", "Infinity", "-Infinity";
//   - strings escaped as protobuf escapes them: the quote, the backslash,
//     control characters, '<', '>', and the invisible or format characters
//     listed in EscapedCodePoint (measured over every code point against
//     protobuf by ProtoJsonTest.EveryCodePointIsEscapedAsProtobufDoes);
//   - google.protobuf.Timestamp and Duration as RFC 3339 and "1.5s" strings.
// One rule differs on purpose: map entries are printed in key order, so
// equal messages print equal text (protobuf prints them in hash order).
// Whatever this printer does not handle — another well-known type (Any,
// Struct, wrappers, ...), a string that is not UTF-8, a timestamp or
// duration out of range — it hands the whole message to protobuf's printer,
// so the output never depends on which printer ran, except for map order.
#include "service/proto_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <google/protobuf/util/json_util.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace vigil::service {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Reflection;

// Code points above U+007E that protobuf's JSON printer writes as \u
// escapes: C1 controls, the soft hyphen and other invisible format
// characters (Arabic number signs, zero-width and bidi controls, BOM,
// interlinear annotation, musical and language tags).
bool EscapedCodePoint(char32_t c) {
  if (c <= 0x9F) return c >= 0x7F;
  if (c < 0x600) return c == 0xAD;
  if (c < 0x2000) {
    return (c >= 0x600 && c <= 0x603) || c == 0x6DD || c == 0x70F ||
           c == 0x17B4 || c == 0x17B5;
  }
  if (c < 0xFEFF) {
    return (c >= 0x200B && c <= 0x200F) || (c >= 0x2028 && c <= 0x202E) ||
           (c >= 0x2060 && c <= 0x2064) || (c >= 0x206A && c <= 0x206F);
  }
  if (c < 0x10000) return c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFB);
  return (c >= 0x1D173 && c <= 0x1D17A) || c == 0xE0001 ||
         (c >= 0xE0020 && c <= 0xE007F);
}

void AppendU16Escape(UChar unit, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char escape[6] = {'\\',
                          'u',
                          kHex[(unit >> 12) & 0xF],
                          kHex[(unit >> 8) & 0xF],
                          kHex[(unit >> 4) & 0xF],
                          kHex[unit & 0xF]};
  out->append(escape, 6);
}

// Appends `s` as a quoted JSON string; false when `s` is not UTF-8.
bool AppendString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < s.size();) {
    const unsigned char byte = static_cast<unsigned char>(s[i]);
    if (byte >= 0x20 && byte < 0x7F && byte != '"' && byte != '\\' &&
        byte != '<' && byte != '>') {
      ++i;
      continue;
    }
    const size_t start = i;
    UChar32 c = byte;
    if (byte >= 0x80) {
      U8_NEXT(s.data(), i, s.size(), c);
      if (c < 0) return false;
      if (!EscapedCodePoint(static_cast<char32_t>(c))) continue;
    } else {
      ++i;
    }
    out->append(s.data() + run, start - run);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (U_IS_BMP(c)) {
          AppendU16Escape(static_cast<UChar>(c), out);
        } else {
          AppendU16Escape(U16_LEAD(c), out);
          AppendU16Escape(U16_TRAIL(c), out);
        }
    }
    run = i;
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
  return true;
}

// `value` in the shortest of `short_digits` and `long_digits` significant
// digits (printf's %g) that reads back to it: protobuf's SimpleDtoa and
// SimpleFtoa.
template <typename T>
void AppendFloating(T value, int short_digits, int long_digits,
                    std::string* out) {
  if (std::isnan(value)) {
    out->append("\"NaN\"");
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  char buffer[64];
  auto printed = std::to_chars(buffer, buffer + sizeof(buffer), value,
                               std::chars_format::general, short_digits);
  T back;
  const auto read = std::from_chars(buffer, printed.ptr, back);
  if (read.ec != std::errc() || back != value) {
    printed = std::to_chars(buffer, buffer + sizeof(buffer), value,
                            std::chars_format::general, long_digits);
  }
  out->append(buffer, printed.ptr);
}

template <typename T>
void AppendInteger(T value, bool quoted, std::string* out) {
  char buffer[24];
  const auto printed = std::to_chars(buffer, buffer + sizeof(buffer), value);
  if (quoted) out->push_back('"');
  out->append(buffer, printed.ptr);
  if (quoted) out->push_back('"');
}

// Seconds since the epoch of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z,
// protobuf's Timestamp range; its Duration range is +-10,000 years.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;
constexpr int64_t kMaxDurationSeconds = 315576000000;

// Nanoseconds as protobuf prints them: nothing for 0, else 3, 6 or 9 digits.
void AppendNanos(int32_t nanos, std::string* out) {
  if (nanos == 0) return;
  char buffer[16];
  if (nanos % 1000000 == 0) {
    std::snprintf(buffer, sizeof(buffer), ".%03d", nanos / 1000000);
  } else if (nanos % 1000 == 0) {
    std::snprintf(buffer, sizeof(buffer), ".%06d", nanos / 1000);
  } else {
    std::snprintf(buffer, sizeof(buffer), ".%09d", nanos);
  }
  out->append(buffer);
}

class Printer {
 public:
  explicit Printer(std::string* out) : out_(out) {}

  // Appends `message`; false when it holds something left to protobuf.
  bool Message(const google::protobuf::Message& message) {
    const Descriptor* type = message.GetDescriptor();
    if (type->file()->package() == "google.protobuf") {
      if (type->full_name() == "google.protobuf.Timestamp") {
        return Timestamp(message);
      }
      if (type->full_name() == "google.protobuf.Duration") {
        return Duration(message);
      }
      return false;
    }
    const Reflection* reflection = message.GetReflection();
    out_->push_back('{');
    bool first = true;
    // Fields outside a oneof first, in declaration order; then the set
    // members of oneofs (proto3 `optional` fields among them) and the set
    // Timestamp and Duration fields, by number.
    std::vector<const FieldDescriptor*> last;
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (PrintedLast(field)) {
        if (reflection->HasField(message, field)) last.push_back(field);
        continue;
      }
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
          !field->is_repeated() && !reflection->HasField(message, field)) {
        continue;
      }
      if (!Field(message, field, &first)) return false;
    }
    std::sort(last.begin(), last.end(),
              [](const FieldDescriptor* a, const FieldDescriptor* b) {
                return a->number() < b->number();
              });
    for (const FieldDescriptor* field : last) {
      if (!Field(message, field, &first)) return false;
    }
    out_->push_back('}');
    return true;
  }

 private:
  // Whether protobuf prints `field` after the others (when set): a member
  // of a oneof, or a singular well-known-type message field.
  static bool PrintedLast(const FieldDescriptor* field) {
    return field->containing_oneof() != nullptr ||
           (!field->is_repeated() &&
            field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
            field->message_type()->file()->package() == "google.protobuf");
  }

  // Appends `"name":value` for `field`, after a comma unless `*first`.
  bool Field(const google::protobuf::Message& message,
             const FieldDescriptor* field, bool* first) {
    if (!*first) out_->push_back(',');
    *first = false;
    out_->push_back('"');
    out_->append(field->name());
    out_->append("\":");
    if (field->is_map()) return Map(message, field);
    if (field->is_repeated()) {
      out_->push_back('[');
      const int size = message.GetReflection()->FieldSize(message, field);
      for (int k = 0; k < size; ++k) {
        if (k > 0) out_->push_back(',');
        if (!Value(message, field, k)) return false;
      }
      out_->push_back(']');
      return true;
    }
    return Value(message, field, -1);
  }

  // Appends the value of `field` (element `index` when repeated, -1 when
  // singular).
  bool Value(const google::protobuf::Message& message,
             const FieldDescriptor* field, int index) {
    const Reflection* r = message.GetReflection();
    const bool rep = index >= 0;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        AppendInteger(rep ? r->GetRepeatedInt32(message, field, index)
                          : r->GetInt32(message, field),
                      false, out_);
        return true;
      case FieldDescriptor::CPPTYPE_UINT32:
        AppendInteger(rep ? r->GetRepeatedUInt32(message, field, index)
                          : r->GetUInt32(message, field),
                      false, out_);
        return true;
      case FieldDescriptor::CPPTYPE_INT64:
        AppendInteger(rep ? r->GetRepeatedInt64(message, field, index)
                          : r->GetInt64(message, field),
                      true, out_);
        return true;
      case FieldDescriptor::CPPTYPE_UINT64:
        AppendInteger(rep ? r->GetRepeatedUInt64(message, field, index)
                          : r->GetUInt64(message, field),
                      true, out_);
        return true;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        AppendFloating(rep ? r->GetRepeatedDouble(message, field, index)
                           : r->GetDouble(message, field),
                       15, 17, out_);
        return true;
      case FieldDescriptor::CPPTYPE_FLOAT:
        AppendFloating(rep ? r->GetRepeatedFloat(message, field, index)
                           : r->GetFloat(message, field),
                       6, 9, out_);
        return true;
      case FieldDescriptor::CPPTYPE_BOOL:
        out_->append((rep ? r->GetRepeatedBool(message, field, index)
                          : r->GetBool(message, field))
                         ? "true"
                         : "false");
        return true;
      case FieldDescriptor::CPPTYPE_ENUM: {
        const int number = rep ? r->GetRepeatedEnumValue(message, field, index)
                               : r->GetEnumValue(message, field);
        const auto* value = field->enum_type()->FindValueByNumber(number);
        if (value == nullptr) {
          AppendInteger(number, false, out_);
        } else {
          out_->push_back('"');
          out_->append(value->name());
          out_->push_back('"');
        }
        return true;
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        const std::string& s =
            rep ? r->GetRepeatedStringReference(message, field, index, &scratch)
                : r->GetStringReference(message, field, &scratch);
        if (field->type() == FieldDescriptor::TYPE_BYTES) {
          out_->push_back('"');
          out_->append(absl::Base64Escape(s));
          out_->push_back('"');
          return true;
        }
        return AppendString(s, out_);
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return Message(rep ? r->GetRepeatedMessage(message, field, index)
                           : r->GetMessage(message, field));
    }
    return false;
  }

  // A map field as an object, its entries in key order.
  bool Map(const google::protobuf::Message& message,
           const FieldDescriptor* field) {
    const Reflection* r = message.GetReflection();
    const FieldDescriptor* key = field->message_type()->map_key();
    const FieldDescriptor* value = field->message_type()->map_value();
    const int size = r->FieldSize(message, field);
    std::vector<const google::protobuf::Message*> entries;
    entries.reserve(size);
    for (int k = 0; k < size; ++k) {
      entries.push_back(&r->GetRepeatedMessage(message, field, k));
    }
    std::sort(entries.begin(), entries.end(),
              [key](const google::protobuf::Message* a,
                    const google::protobuf::Message* b) {
                return KeyLess(*a, *b, key);
              });
    out_->push_back('{');
    for (size_t k = 0; k < entries.size(); ++k) {
      if (k > 0) out_->push_back(',');
      const google::protobuf::Message& entry = *entries[k];
      if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        if (!Value(entry, key, -1)) return false;
      } else {
        // Keys are strings in JSON: numbers and booleans are quoted.
        out_->push_back('"');
        std::string text;
        Printer(&text).Value(entry, key, -1);
        if (!text.empty() && text.front() == '"') {
          text = text.substr(1, text.size() - 2);
        }
        out_->append(text);
        out_->push_back('"');
      }
      out_->push_back(':');
      if (!Value(entry, value, -1)) return false;
    }
    out_->push_back('}');
    return true;
  }

  static bool KeyLess(const google::protobuf::Message& a,
                      const google::protobuf::Message& b,
                      const FieldDescriptor* key) {
    const Reflection* r = a.GetReflection();
    switch (key->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return r->GetInt32(a, key) < r->GetInt32(b, key);
      case FieldDescriptor::CPPTYPE_UINT32:
        return r->GetUInt32(a, key) < r->GetUInt32(b, key);
      case FieldDescriptor::CPPTYPE_INT64:
        return r->GetInt64(a, key) < r->GetInt64(b, key);
      case FieldDescriptor::CPPTYPE_UINT64:
        return r->GetUInt64(a, key) < r->GetUInt64(b, key);
      case FieldDescriptor::CPPTYPE_BOOL:
        return r->GetBool(a, key) < r->GetBool(b, key);
      default: {
        std::string sa, sb;
        return r->GetStringReference(a, key, &sa) <
               r->GetStringReference(b, key, &sb);
      }
    }
  }

  bool Timestamp(const google::protobuf::Message& message) {
    int64_t seconds;
    int32_t nanos;
    if (!SecondsAndNanos(message, &seconds, &nanos)) return false;
    if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds ||
        nanos < 0 || nanos > 999999999) {
      return false;
    }
    const absl::CivilSecond civil = absl::ToCivilSecond(
        absl::FromUnixSeconds(seconds), absl::UTCTimeZone());
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "\"%04d-%02d-%02dT%02d:%02d:%02d",
                  static_cast<int>(civil.year()), civil.month(), civil.day(),
                  civil.hour(), civil.minute(), civil.second());
    out_->append(buffer);
    AppendNanos(nanos, out_);
    out_->append("Z\"");
    return true;
  }

  bool Duration(const google::protobuf::Message& message) {
    int64_t seconds;
    int32_t nanos;
    if (!SecondsAndNanos(message, &seconds, &nanos)) return false;
    if (seconds < -kMaxDurationSeconds || seconds > kMaxDurationSeconds ||
        nanos < -999999999 || nanos > 999999999 || (seconds < 0 && nanos > 0) ||
        (seconds > 0 && nanos < 0)) {
      return false;
    }
    out_->push_back('"');
    if (seconds < 0 || nanos < 0) out_->push_back('-');
    AppendInteger(seconds < 0 ? -seconds : seconds, false, out_);
    AppendNanos(nanos < 0 ? -nanos : nanos, out_);
    out_->append("s\"");
    return true;
  }

  static bool SecondsAndNanos(const google::protobuf::Message& message,
                              int64_t* seconds, int32_t* nanos) {
    const Descriptor* type = message.GetDescriptor();
    const FieldDescriptor* s = type->FindFieldByName("seconds");
    const FieldDescriptor* n = type->FindFieldByName("nanos");
    if (s == nullptr || n == nullptr) return false;
    *seconds = message.GetReflection()->GetInt64(message, s);
    *nanos = message.GetReflection()->GetInt32(message, n);
    return true;
  }

  std::string* out_;
};

}  // namespace

absl::StatusOr<std::string> ProtobufMessageJson(
    const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  const auto printed =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!printed.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot print ", message.GetTypeName(),
                     " as JSON: ", printed.message().as_string()));
  }
  return json;
}

absl::StatusOr<std::string> MessageJson(
    const google::protobuf::Message& message) {
  std::string json;
  json.reserve(256);
  if (Printer(&json).Message(message)) return json;
  return ProtobufMessageJson(message);
}

}  // namespace vigil::service
