// Sampler: which unflagged posts go into the quality sample (review.proto,
// QUEUE_SAMPLE), so that analysts can measure what the filter misses.
//
// A post is sampled when the first 8 bytes of HMAC-SHA256(key, source NUL
// id), read as a number in [0, 1), fall below the rate. The choice depends
// only on the key and the post's identity: every instance that shares the
// key samples the same posts, a re-sent post gets the same answer, and a
// sender cannot aim at or away from the sample without the key. Posts
// without an id are never sampled (the id names the review item).
//
// Example:
//   Sampler sampler(0.001, key);   // one post in a thousand
//   if (!verdict.flagged() && sampler.Sampled(post.source(), post.id())) ...
//
// Thread safety: immutable; share it.
#ifndef VIGIL_SERVICE_SAMPLER_H_
#define VIGIL_SERVICE_SAMPLER_H_

#include <string>
#include <string_view>

namespace vigil::service {

class Sampler {
 public:
  // The key used when the configuration names none; instances that keep it
  // agree with each other (and anyone reading this file can predict their
  // choice: set sample_key in production).
  static constexpr char kDefaultKey[] = "vigil quality sample";

  // Precondition: 0 <= rate <= 1. Rate 0 samples nothing.
  Sampler(double rate, std::string key);

  double rate() const { return rate_; }
  // Where the post's hash falls in [0, 1).
  double Position(std::string_view source, std::string_view id) const;
  bool Sampled(std::string_view source, std::string_view id) const {
    return rate_ > 0 && !id.empty() && Position(source, id) < rate_;
  }

 private:
  double rate_;
  std::string key_;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_SAMPLER_H_
