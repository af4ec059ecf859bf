#include "tools/cli/campaign_variants.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "tools/cli/eval_variants.h"

namespace vigil::cli {
namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t x = (state_ += 0x9e3779b97f4a7c15ull);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
  }
  // Uniform in [0, n); n > 0.
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  bool Chance(double p) {
    return static_cast<double>(Next() >> 11) / 9007199254740992.0 < p;
  }

 private:
  uint64_t state_;
};

constexpr const char* kEmoji[] = {"😂", "🔥",    "🎁",      "👉", "💰",
                                  "😡", "🤬", "❤️", "✅", "⚡"};
constexpr const char* kFillers[] = {"nhé", "ngay", "luôn", "nha",
                                    "đi",  "ạ",    "liền", "nhanh"};

bool IsAsciiPunct(char c) {
  return std::ispunct(static_cast<unsigned char>(c)) && c != '@' && c != '#' &&
         c != '/';
}

// A word without its leading and trailing punctuation, and what surrounds
// it.
struct WordParts {
  std::string before, core, after;
};

WordParts Split(const std::string& word) {
  size_t b = 0, e = word.size();
  while (b < e && IsAsciiPunct(word[b])) ++b;
  while (e > b && IsAsciiPunct(word[e - 1])) --e;
  return {word.substr(0, b), word.substr(b, e - b), word.substr(e)};
}

bool IsLink(const std::string& core) {
  auto has = [&](const char* s) { return core.find(s) != std::string::npos; };
  if (has("://") || core.rfind("www.", 0) == 0) return true;
  const size_t dot = core.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 >= core.size()) {
    return false;
  }
  return std::isalpha(static_cast<unsigned char>(core[dot - 1])) &&
         std::isalpha(static_cast<unsigned char>(core[dot + 1])) &&
         (has("/") || has(".com") || has(".vn") || has(".net") || has(".me") ||
          has(".ly"));
}

std::string RandomLetters(Rng& rng, int n) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(kChars[rng.Below(36)]);
  return s;
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    if (j > i) words.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return words;
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

}  // namespace

CampaignVariants::CampaignVariants(const normalize::TeencodeTable& teencode) {
  for (size_t i = 0; i < teencode.size(); ++i) {
    const normalize::TeencodeTable::Entry& e =
        teencode.entry(static_cast<int32_t>(i));
    // Only what the table reads back unambiguously, one word for one.
    if (e.ambiguous || e.expansions.size() != 1 ||
        e.expansions[0].find(' ') != std::string::npos) {
      continue;
    }
    teencode_[e.expansions[0]].push_back(e.surface);
  }
  for (auto& [word, surfaces] : teencode_) {
    std::sort(surfaces.begin(), surfaces.end());
  }
}

const std::vector<std::string>& CampaignVariants::TeencodeOf(
    std::string_view word) const {
  static const std::vector<std::string>* const kNone =
      new std::vector<std::string>();
  auto it = teencode_.find(std::string(word));
  return it == teencode_.end() ? *kNone : it->second;
}

std::string CampaignVariants::Make(std::string_view text, uint64_t seed,
                                   uint32_t* edits) const {
  Rng rng(seed);
  std::vector<std::string> words = Words(text);
  uint32_t done = 0;
  if (words.empty()) {
    if (edits != nullptr) *edits = 0;
    return std::string(text);
  }
  const bool number = rng.Chance(0.7), link = rng.Chance(0.7),
             unaccent = rng.Chance(0.3), teencode = rng.Chance(0.4),
             emoji = rng.Chance(0.4), order = rng.Chance(0.35),
             wording = rng.Chance(0.35), stretch = rng.Chance(0.2);
  for (std::string& w : words) {
    WordParts p = Split(w);
    if (link && (IsLink(p.core) || (p.core.size() > 1 && p.core[0] == '@'))) {
      p.core = p.core[0] == '@' ? "@" + RandomLetters(rng, 7)
                                : "bit.ly/" + RandomLetters(rng, 6);
      done |= kEditLink;
    } else if (number && !IsLink(p.core)) {
      for (size_t i = 0; i < p.core.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(p.core[i]))) continue;
        const bool leading_zero =
            p.core[i] == '0' &&
            (i == 0 ||
             !std::isdigit(static_cast<unsigned char>(p.core[i - 1])));
        if (leading_zero) continue;
        const char d = static_cast<char>('0' + rng.Below(10));
        if (d != p.core[i]) done |= kEditNumber;
        p.core[i] = d;
      }
    }
    if (teencode && rng.Chance(0.5)) {
      const std::vector<std::string>& surfaces = TeencodeOf(p.core);
      if (!surfaces.empty()) {
        p.core = surfaces[rng.Below(surfaces.size())];
        done |= kEditTeencode;
      }
    }
    w = p.before + p.core + p.after;
  }
  if (order && words.size() >= 4) {
    // Two neighbouring clauses (split at commas) swapped, or two words.
    std::vector<std::vector<std::string>> clauses(1);
    for (const std::string& w : words) {
      clauses.back().push_back(w);
      if (!w.empty() && w.back() == ',') clauses.emplace_back();
    }
    if (clauses.back().empty()) clauses.pop_back();
    if (clauses.size() >= 2) {
      const size_t c = rng.Below(clauses.size() - 1);
      std::swap(clauses[c], clauses[c + 1]);
      words.clear();
      for (const auto& clause : clauses) {
        words.insert(words.end(), clause.begin(), clause.end());
      }
    } else {
      const size_t i = rng.Below(words.size() - 1);
      std::swap(words[i], words[i + 1]);
    }
    done |= kEditOrder;
  }
  if (wording && words.size() >= 6) {
    if (rng.Chance(0.5)) {
      words.erase(words.begin() + rng.Below(words.size()));
    } else {
      words.insert(words.begin() + rng.Below(words.size() + 1),
                   kFillers[rng.Below(std::size(kFillers))]);
    }
    done |= kEditWording;
  }
  if (stretch) {
    for (int attempt = 0; attempt < 4; ++attempt) {
      std::string& w = words[rng.Below(words.size())];
      if (!w.empty() && std::isalpha(static_cast<unsigned char>(w.back()))) {
        w.append(3, w.back());
        done |= kEditStretch;
        break;
      }
    }
  }
  if (emoji || done == 0) {
    const size_t n = 1 + rng.Below(3);
    for (size_t i = 0; i < n; ++i) {
      words.insert(words.begin() + rng.Below(words.size() + 1),
                   kEmoji[rng.Below(std::size(kEmoji))]);
    }
    done |= kEditEmoji;
  }
  std::string out = Join(words);
  if (unaccent) {
    std::string plain = Unaccent(out);
    if (plain != out) done |= kEditUnaccent;
    out = std::move(plain);
  }
  if (edits != nullptr) *edits = done;
  return out;
}

}  // namespace vigil::cli
