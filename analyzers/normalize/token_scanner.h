// The token scanners of pass 2 of the normalizer (normalizer.cc explains the
// passes): given a decoded post and the index of a code point, each returns
// where a token of its kind starting there would end, or the index itself
// when none starts there. The normalizer tries them in a fixed order (e-mail,
// URL, mention, hashtag, emoji, number, word, punctuation) at each token
// start; each scanner is usable and testable on its own.
//
// Example:
//   CodePoints cps = DecodeUtf8("xem bit.ly/abc nhé", buffer, &invalid);
//   TokenScanner scan(cps);
//   scan.StartChunk(4);
//   scan.UrlEnd(4);   // 14: "bit.ly/abc"
//   scan.WordEnd(0);  // 3: "xem"
//
// Thread safety: a TokenScanner remembers failed domain and e-mail runs (to
// keep the scan linear), so one instance belongs to one thread.
#ifndef VIGIL_ANALYZERS_NORMALIZE_TOKEN_SCANNER_H_
#define VIGIL_ANALYZERS_NORMALIZE_TOKEN_SCANNER_H_

#include <cstddef>

#include "analyzers/normalize/code_points.h"

namespace vigil::normalize {

class TokenScanner {
 public:
  // `cps` must outlive the scanner.
  explicit TokenScanner(const CodePoints& cps) : cps_(cps) {}

  // Notes the white-space-delimited chunk starting at `i`: where it ends
  // and whether it could hold a URL or e-mail address at all (has '.', '@'
  // or ':'). UrlEnd needs the chunk of its start to have been noted.
  void StartChunk(size_t i);
  size_t chunk_end() const { return chunk_end_; }
  bool chunk_may_link() const { return chunk_may_link_; }

  // E-mail: ASCII local part '@' domain with a known top-level domain.
  size_t EmailEnd(size_t i) const;
  // URL: "http://", "https://" or "www." up to white space, or an ASCII
  // "name.tld[/path]" with a known tld. Trailing punctuation is not part of
  // it.
  size_t UrlEnd(size_t i) const;
  // "@name" / "#tag" (sign '@' or '#'): the sign, then word characters (and
  // inner dots for mentions).
  size_t PrefixedEnd(size_t i, char32_t sign) const;
  // One emoji sequence: a pictograph or flag, with variation selectors, skin
  // tones, keycaps, tags, and ZWJ-joined further pictographs.
  size_t EmojiEnd(size_t i) const;
  // Numbers: [+|currency] digits ([.,:/-] digits)* [% | unit [digits]]. A
  // digit run followed by letters that are not a unit is not a number.
  size_t NumberEnd(size_t i) const;
  // Words: letters, combining marks, digits, and '@'/'$' between word
  // characters; zero-width characters inside are skipped (not at the end).
  size_t WordEnd(size_t i) const;
  // A run of punctuation, stopping where another token kind would start.
  // Always consumes at least the code point at `i`.
  size_t PunctEnd(size_t i) const;

 private:
  // End of an ASCII "name.tld" domain starting at `i`, or `i`.
  size_t DomainEnd(size_t i) const;
  size_t DomainScan(size_t i) const;

  const CodePoints& cps_;
  size_t chunk_end_ = 0;
  bool chunk_may_link_ = false;
  // Runs already known not to hold a domain / an e-mail address.
  mutable size_t domain_fail_start_ = 0;
  mutable size_t domain_fail_end_ = 0;
  mutable size_t email_fail_end_ = 0;
};

}  // namespace vigil::normalize

#endif  // VIGIL_ANALYZERS_NORMALIZE_TOKEN_SCANNER_H_
