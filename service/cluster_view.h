// Marks what varies between a cluster's sample texts (review.proto,
// ClusterSample.varying), for analysts to see at a glance which phone
// number, link or wording changes from copy to copy.
//
//   auto clusters = store->ListClusters(request);
//   for (v1::Cluster& c : *clusters->mutable_clusters()) {
//     MarkVaryingParts(analyzer->normalizer(), &c);
//   }
//
// Thread safety: the normalizer is shared and thread-safe; `cluster` is the
// caller's.
#ifndef VIGIL_SERVICE_CLUSTER_VIEW_H_
#define VIGIL_SERVICE_CLUSTER_VIEW_H_

#include "analyzers/normalize/normalizer.h"
#include "vigil/v1/review.pb.h"

namespace vigil::service {

// Sets each sample's `varying` spans (cluster::VaryingSpans over the
// samples' normalized texts); samples whose text was erased take no part.
void MarkVaryingParts(const normalize::Normalizer& normalizer,
                      v1::Cluster* cluster);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_CLUSTER_VIEW_H_
