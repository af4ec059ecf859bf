#include "service/cluster_view.h"

#include <string_view>
#include <vector>

#include "analyzers/cluster/fingerprint.h"

namespace vigil::service {

void MarkVaryingParts(const normalize::Normalizer& normalizer,
                      v1::Cluster* cluster) {
  std::vector<v1::ClusterSample*> samples;
  std::vector<std::string_view> texts;
  std::vector<normalize::NormalizedText> normalized;
  for (v1::ClusterSample& s : *cluster->mutable_samples()) {
    s.clear_varying();
    if (s.text().empty()) continue;
    samples.push_back(&s);
    texts.push_back(s.text());
    normalized.push_back(normalizer.Normalize(s.text()));
  }
  const std::vector<std::vector<cluster::ByteSpan>> spans =
      cluster::VaryingSpans(texts, normalized);
  for (size_t i = 0; i < spans.size(); ++i) {
    for (const cluster::ByteSpan& span : spans[i]) {
      v1::TextSpan* out = samples[i]->add_varying();
      out->set_begin(span.begin);
      out->set_end(span.end);
    }
  }
}

}  // namespace vigil::service
