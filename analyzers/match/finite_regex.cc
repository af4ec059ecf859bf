#include "analyzers/match/finite_regex.h"

namespace vigil::match {
namespace {

class Expander {
 public:
  Expander(std::string_view p, size_t limit) : p_(p), limit_(limit) {}

  std::optional<std::vector<std::string>> Run() {
    std::optional<std::vector<std::string>> r = Alternation();
    if (!r || pos_ != p_.size()) return std::nullopt;
    return r;
  }

 private:
  // alternation := sequence ('|' sequence)*
  std::optional<std::vector<std::string>> Alternation() {
    std::optional<std::vector<std::string>> all = Sequence();
    if (!all) return std::nullopt;
    while (pos_ < p_.size() && p_[pos_] == '|') {
      ++pos_;
      std::optional<std::vector<std::string>> more = Sequence();
      if (!more) return std::nullopt;
      all->insert(all->end(), more->begin(), more->end());
      if (all->size() > limit_) return std::nullopt;
    }
    return all;
  }

  // sequence := (atom '?'?)*   atom := literal | '(' ['?:'] alternation ')'
  std::optional<std::vector<std::string>> Sequence() {
    std::vector<std::string> result = {""};
    while (pos_ < p_.size() && p_[pos_] != '|' && p_[pos_] != ')') {
      std::vector<std::string> atom;
      const char c = p_[pos_];
      if (c == '(') {
        ++pos_;
        if (p_.substr(pos_, 2) == "?:") {
          pos_ += 2;
        } else if (pos_ < p_.size() && p_[pos_] == '?') {
          return std::nullopt;  // flags, named groups
        }
        std::optional<std::vector<std::string>> inner = Alternation();
        if (!inner || pos_ >= p_.size() || p_[pos_] != ')') return std::nullopt;
        ++pos_;
        atom = std::move(*inner);
      } else if (std::string_view(".[]{}*+\\^$?").find(c) !=
                 std::string_view::npos) {
        return std::nullopt;
      } else {
        // One UTF-8 character.
        const unsigned char b = static_cast<unsigned char>(c);
        const size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        atom.emplace_back(p_.substr(pos_, len));
        pos_ += len;
      }
      if (pos_ < p_.size() && p_[pos_] == '?') {
        ++pos_;
        atom.emplace_back();
      }
      if (pos_ < p_.size() &&
          (p_[pos_] == '*' || p_[pos_] == '+' || p_[pos_] == '{')) {
        return std::nullopt;
      }
      if (result.size() * atom.size() > limit_) return std::nullopt;
      std::vector<std::string> product;
      product.reserve(result.size() * atom.size());
      for (const std::string& a : result) {
        for (const std::string& b : atom) product.push_back(a + b);
      }
      result = std::move(product);
    }
    return result;
  }

  std::string_view p_;
  size_t limit_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<std::vector<std::string>> ExpandFiniteRegex(
    std::string_view pattern, size_t limit) {
  return Expander(pattern, limit).Run();
}

}  // namespace vigil::match
