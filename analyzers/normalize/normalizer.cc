// The normalizer works in two passes over one post.
//
// Pass 1 decodes UTF-8 into code points, each remembering its byte offset
// (its code-point offset is its index), so every token can name the exact
// original bytes it came from however much normalization rewrote it.
//
// Pass 2 scans the code points left to right and cuts tokens by the first
// code point of each: URLs, @mentions and #hashtags are recognised by their
// prefix; emoji sequences by Extended_Pictographic plus their joiners and
// modifiers; numbers by digits (with separators, a currency sign or a unit
// such as "k", "tr", "đ"); words by letters, absorbing combining marks,
// zero-width characters and in-word leetspeak. Everything else forms runs of
// punctuation. Each token is then normalized on its own, never looking at
// its neighbours, which is what makes the offset map exact: normalizing the
// original slice of a token gives that token back (the property test checks
// this over real posts).
//
// Words go through the table-driven steps of normalizer.h. The hot path
// (ASCII and precomposed Vietnamese) uses only tables; ICU is called for
// NFC only when a word holds a code point that NFC could change.
//
// Where each part lives: pass 1 in code_points.h, the token scanners of
// pass 2 in token_scanner.h, the per-word steps in word_steps.h and
// post_normalizer.cc, the per-thread memo of normalized words in
// word_memo.h; post_normalizer.h ties them together for one post. This file
// holds the public Normalizer and the names of token kinds and steps.
#include "analyzers/normalize/normalizer.h"

#include <unicode/normalizer2.h>

#include <atomic>

#include "analyzers/normalize/char_class.h"
#include "analyzers/normalize/post_normalizer.h"

namespace vigil::normalize {

std::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kWord:
      return "word";
    case TokenKind::kNumber:
      return "number";
    case TokenKind::kUrl:
      return "url";
    case TokenKind::kEmail:
      return "email";
    case TokenKind::kMention:
      return "mention";
    case TokenKind::kHashtag:
      return "hashtag";
    case TokenKind::kEmoji:
      return "emoji";
    case TokenKind::kPunct:
      return "punct";
  }
  return "unknown";
}

std::vector<std::string_view> StepNames(uint32_t steps) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {kStepInvalidUtf8, "invalid_utf8"},
      {kStepFormatRemoved, "format_removed"},
      {kStepNfc, "nfc"},
      {kStepCaseFolded, "casefold"},
      {kStepConfusable, "confusable"},
      {kStepRepeatCollapsed, "repeated_letters"},
      {kStepLeetspeak, "leetspeak"},
      {kStepToneMoved, "tone_placement"},
      {kStepTeencode, "teencode"},
      {kStepEth, "eth"},
      {kStepLettersJoined, "letters_joined"},
      {kStepRestored, "restored_diacritics"},
  };
  std::vector<std::string_view> names;
  for (const auto& [bit, name] : kNames) {
    if (steps & bit) names.push_back(name);
  }
  return names;
}

namespace {
// Ids of normalizers that use the word memo; 0 means "no memo" (also once
// 2^32 normalizers have been made, so ids never repeat).
std::atomic<uint64_t> next_normalizer_id{1};
}  // namespace

Normalizer::Normalizer(TeencodeTable teencode, bool word_memo)
    : teencode_(std::move(teencode)), id_(0) {
  if (word_memo) {
    const uint64_t id = next_normalizer_id++;
    if (id <= UINT32_MAX) id_ = static_cast<uint32_t>(id);
  }
}

absl::StatusOr<std::unique_ptr<const Normalizer>> Normalizer::Create(
    const Options& options) {
  TeencodeTable table;
  if (!options.teencode_path.empty()) {
    absl::StatusOr<TeencodeTable> loaded =
        TeencodeTable::Load(options.teencode_path);
    if (!loaded.ok()) return loaded.status();
    table = *std::move(loaded);
  }
  return Create(std::move(table), options.word_memo);
}

absl::StatusOr<std::unique_ptr<const Normalizer>> Normalizer::Create(
    TeencodeTable table, bool word_memo) {
  UErrorCode status = U_ZERO_ERROR;
  icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) {
    return absl::InternalError(std::string("ICU NFC data unavailable: ") +
                               u_errorName(status));
  }
  CharTable();  // build the tables now, not on the first request
  return std::unique_ptr<const Normalizer>(
      new Normalizer(std::move(table), word_memo));
}

NormalizedText Normalizer::Normalize(std::string_view post) const {
  NormalizedText out;
  NormalizeInto(post, &out);
  return out;
}

void Normalizer::NormalizeInto(std::string_view post,
                               NormalizedText* out) const {
  out->truncated_ = post.size() > kMaxPostBytes;
  if (out->truncated_) post = post.substr(0, kMaxPostBytes);
  out->tokens_.clear();
  out->canonical_.clear();
  out->folded_.clear();
  out->unaccented_ = false;
  out->invalid_utf8_ = out->words_ = out->accented_words_ = 0;
  PostNormalizer(teencode_, id_, post, *out).Run();
}

}  // namespace vigil::normalize
