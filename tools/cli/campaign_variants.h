// Generated campaigns for measuring how well vigil groups near-duplicate
// posts (`vigil campaigns eval`): from one seed post, the copies a campaign
// posts, each changed the ways campaigns change their posts to slip past
// exact matching.
//
//   CampaignVariants variants(analyzer->normalizer().teencode());
//   std::string copy = variants.Make(seed_text, /*seed=*/42, &edits);
//
// Edits (each chosen at random per copy; every copy gets at least one):
//   number    every digit replaced (another phone number, amount, time)
//   link      links and mentions replaced by other ones
//   unaccent  written without diacritics
//   teencode  words written as teencode the table reads back ("không" →
//             "ko"), from the shipped table reversed (unambiguous entries)
//   emoji     one to three emoji inserted
//   order     two neighbouring words swapped, or two clauses swapped
//   wording   a word dropped, or a filler word ("nhé", "ngay") inserted
//   stretch   a word's last letter repeated ("điiii")
//
// Deterministic for a seed (its own generator, not std's distributions).
//
// Thread safety: immutable after construction; Make() is const.
#ifndef VIGIL_TOOLS_CLI_CAMPAIGN_VARIANTS_H_
#define VIGIL_TOOLS_CLI_CAMPAIGN_VARIANTS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "analyzers/normalize/teencode.h"

namespace vigil::cli {

enum CampaignEdit : uint32_t {
  kEditNumber = 1u << 0,
  kEditLink = 1u << 1,
  kEditUnaccent = 1u << 2,
  kEditTeencode = 1u << 3,
  kEditEmoji = 1u << 4,
  kEditOrder = 1u << 5,
  kEditWording = 1u << 6,
  kEditStretch = 1u << 7,
};
inline constexpr int kNumCampaignEdits = 8;
// Names of the edits, in bit order.
inline constexpr const char* kCampaignEditNames[kNumCampaignEdits] = {
    "number", "link",  "unaccent", "teencode",
    "emoji",  "order", "wording",  "stretch"};

class CampaignVariants {
 public:
  explicit CampaignVariants(const normalize::TeencodeTable& teencode);

  // A copy of `text` with edits chosen by `seed`; `*edits` (when not null)
  // gets the CampaignEdit bits that changed it.
  std::string Make(std::string_view text, uint64_t seed,
                   uint32_t* edits = nullptr) const;

  // The teencode spellings of a lower-case word ("không" → {"ko", "k",
  // ...}); empty when it has none.
  const std::vector<std::string>& TeencodeOf(std::string_view word) const;

 private:
  absl::flat_hash_map<std::string, std::vector<std::string>> teencode_;
};

}  // namespace vigil::cli

#endif  // VIGIL_TOOLS_CLI_CAMPAIGN_VARIANTS_H_
