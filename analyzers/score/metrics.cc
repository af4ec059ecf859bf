#include "analyzers/score/metrics.h"

namespace vigil::score {
namespace {

constexpr uint32_t Bit(match::Category c) { return 1u << static_cast<int>(c); }
constexpr uint32_t kHateLike = Bit(match::Category::kHate) |
                               Bit(match::Category::kInsult) |
                               Bit(match::Category::kThreat);
constexpr uint32_t kOffensiveLike =
    Bit(match::Category::kProfanity) | Bit(match::Category::kSexual);

}  // namespace

int ToViHsdLabel(uint32_t flagged_categories) {
  if (flagged_categories & kHateLike) return kHate;
  if (flagged_categories & kOffensiveLike) return kOffensive;
  return kClean;
}

bool IsViHsdCategory(match::Category c) {
  return Bit(c) & (kHateLike | kOffensiveLike);
}

double Confusion::Precision(int c) const {
  long column = 0;
  for (int g = 0; g < n_; ++g) column += m_[g * n_ + c];
  return column ? static_cast<double>(m_[c * n_ + c]) / column : 0;
}

double Confusion::Recall(int c) const {
  const long row = Support(c);
  return row ? static_cast<double>(m_[c * n_ + c]) / row : 0;
}

double Confusion::F1(int c) const {
  const double p = Precision(c), r = Recall(c);
  return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

long Confusion::Support(int c) const {
  long row = 0;
  for (int p = 0; p < n_; ++p) row += m_[c * n_ + p];
  return row;
}

double Confusion::MacroF1() const {
  double sum = 0;
  for (int c = 0; c < n_; ++c) sum += F1(c);
  return sum / n_;
}

}  // namespace vigil::score
