// SqlFlagStore's reads of campaigns: ListClusters, GetCluster and
// CountClusters (placement is on the write path, clusters.h; DecideCluster
// is a transition, sql_transitions.cc).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "analyzers/util/strings.h"
#include "service/store/clusters.h"
#include "service/store/item_row.h"
#include "service/store/proto_time.h"
#include "service/store/sql_flag_store.h"
#include "service/store/workflow.h"

namespace vigil::service {
namespace {

constexpr int kDefaultClusterPage = 20;
constexpr int kMaxClusterPage = 100;
constexpr int kDefaultListSamples = 3;
constexpr int kDefaultGetSamples = 5;
constexpr int kMaxSamples = 10;
constexpr int kDefaultClusterItems = 100;
constexpr int kMaxClusterItems = 1000;

// Page tokens: "<order>:<offset>", so a token from one order is refused by
// another.
std::string PageToken(v1::ClusterOrder order, int64_t offset) {
  return StrCat("c", static_cast<int>(order), ":", offset);
}

absl::StatusOr<int64_t> ParsePageToken(const std::string& token,
                                       v1::ClusterOrder order) {
  if (token.empty()) return 0;
  const std::string prefix = StrCat("c", static_cast<int>(order), ":");
  int64_t offset = 0;
  if (token.rfind(prefix, 0) != 0 ||
      !absl::SimpleAtoi(token.substr(prefix.size()), &offset) || offset < 0) {
    return absl::InvalidArgumentError(
        "bad page_token (it must come from ListClusters with the same order)");
  }
  return offset;
}

absl::StatusOr<int> Bounded(int value, int fallback, int max,
                            const char* name) {
  if (value < 0 || value > max) {
    return absl::InvalidArgumentError(
        StrCat(name, " must be between 0 and ", max));
  }
  return value == 0 ? fallback : value;
}

}  // namespace

absl::StatusOr<v1::ListClustersResponse> SqlFlagStore::ListClusters(
    const v1::ListClustersRequest& request) {
  const v1::ClusterFilter& filter = request.filter();
  auto page_size = Bounded(request.page_size(), kDefaultClusterPage,
                           kMaxClusterPage, "page_size");
  if (!page_size.ok()) return page_size.status();
  auto samples =
      Bounded(request.samples(), kDefaultListSamples, kMaxSamples, "samples");
  if (!samples.ok()) return samples.status();
  auto offset = ParsePageToken(request.page_token(), request.order());
  if (!offset.ok()) return offset.status();
  auto mask = CategoryMaskOf(filter.categories());
  if (!mask.ok()) return mask.status();
  if (filter.min_size() < 0) {
    return absl::InvalidArgumentError("min_size must not be negative");
  }
  for (const auto* ts : {&filter.seen_after(), &filter.seen_before()}) {
    if (!ValidTimestamp(*ts)) {
      return absl::InvalidArgumentError("seen_after/seen_before out of range");
    }
  }
  const int64_t now = Now();
  std::vector<SqlValue> params;
  auto param = [&params](SqlValue v) {
    params.push_back(std::move(v));
    return StrCat("$", params.size());
  };
  std::string where =
      StrCat("size >= ",
             param(SqlValue::Int(std::max<int64_t>(2, filter.min_size()))));
  if (*mask != 0) {
    where +=
        StrCat(" AND (category_mask & ", param(SqlValue::Int(*mask)), ") <> 0");
  }
  if (!filter.source().empty()) {
    where += StrCat(
        " AND EXISTS (SELECT 1 FROM items i WHERE i.cluster_id = "
        "clusters.cluster_id AND i.source = ",
        param(SqlValue::Text(filter.source())), ")");
  }
  if (filter.open_only()) {
    where += StrCat(
        " AND EXISTS (SELECT 1 FROM items i WHERE i.cluster_id = "
        "clusters.cluster_id AND i.status = 'open' AND (i.claimed_by IS NULL "
        "OR i.lease_expires_at <= ",
        param(SqlValue::Int(now)), "))");
  }
  if (filter.has_seen_after()) {
    where += StrCat(" AND last_seen >= ",
                    param(SqlValue::Int(Micros(filter.seen_after()))));
  }
  if (filter.has_seen_before()) {
    where += StrCat(" AND last_seen < ",
                    param(SqlValue::Int(Micros(filter.seen_before()))));
  }
  std::string order;
  switch (request.order()) {
    case v1::CLUSTER_ORDER_SIZE:
      order = "size DESC, last_seen DESC, cluster_id DESC";
      break;
    case v1::CLUSTER_ORDER_GROWTH: {
      const int64_t hour = HourOf(now);
      order = StrCat("CASE WHEN hour = ", param(SqlValue::Int(hour)),
                     " THEN hour_count + previous_hour_count WHEN hour = ",
                     param(SqlValue::Int(hour - 1)),
                     " THEN hour_count ELSE 0 END DESC, size DESC, "
                     "cluster_id DESC");
      break;
    }
    case v1::CLUSTER_ORDER_RECENT:
      order = "last_seen DESC, cluster_id DESC";
      break;
    default:
      return absl::InvalidArgumentError("unknown cluster order");
  }
  const std::string sql = StrCat(
      "SELECT ", kClusterColumns, " FROM clusters WHERE ", where, " ORDER BY ",
      order, " LIMIT ", param(SqlValue::Int(*page_size + 1)), " OFFSET ",
      param(SqlValue::Int(*offset)));
  v1::ListClustersResponse response;
  absl::Status status = Read([&](SqlConnection& db) -> absl::Status {
    auto rows = db.Query(sql, params);
    if (!rows.ok()) return rows.status();
    std::vector<v1::Cluster*> page;
    for (size_t i = 0; i < rows->size() && static_cast<int>(i) < *page_size;
         ++i) {
      v1::Cluster* c = response.add_clusters();
      *c = ClusterFromRow((*rows)[i], now);
      page.push_back(c);
    }
    if (static_cast<int>(rows->size()) > *page_size) {
      response.set_next_page_token(
          PageToken(request.order(), *offset + *page_size));
    }
    return FillClusterDetails(db, now, *samples, page);
  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::GetClusterResponse> SqlFlagStore::GetCluster(
    const v1::GetClusterRequest& request) {
  auto max_items = Bounded(request.max_items(), kDefaultClusterItems,
                           kMaxClusterItems, "max_items");
  if (!max_items.ok()) return max_items.status();
  auto samples =
      Bounded(request.samples(), kDefaultGetSamples, kMaxSamples, "samples");
  if (!samples.ok()) return samples.status();
  const int64_t now = Now();
  v1::GetClusterResponse response;
  absl::Status status = Read([&](SqlConnection& db) -> absl::Status {
    SqlValue id[] = {SqlValue::Int(request.cluster_id())};
    auto rows = db.Query(StrCat("SELECT ", kClusterColumns,
                                " FROM clusters WHERE cluster_id = $1"),
                         id);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) {
      return absl::NotFoundError(StrCat("no cluster ", request.cluster_id()));
    }
    *response.mutable_cluster() = ClusterFromRow((*rows)[0], now);
    if (absl::Status s =
            FillClusterDetails(db, now, *samples, {response.mutable_cluster()});
        !s.ok()) {
      return s;
    }
    SqlValue params[] = {SqlValue::Int(request.cluster_id()),
                         SqlValue::Int(*max_items)};
    auto items = db.Query(
        StrCat("SELECT ", ItemColumnList(),
               " FROM items WHERE cluster_id = $1 ORDER BY first_flagged_at "
               "DESC, item_id DESC LIMIT $2"),
        params);
    if (!items.ok()) return items.status();
    for (const SqlRow& row : *items) {
      *response.add_items() = ItemFromRow(row, now);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<ClusterCounts> SqlFlagStore::CountClusters() {
  ClusterCounts counts;
  absl::Status status = Read([&](SqlConnection& db) -> absl::Status {
    auto rows = db.Query(
        "SELECT COUNT(*), COALESCE(MAX(size), 0), COALESCE(SUM(size), 0) FROM "
        "clusters");
    if (!rows.ok()) return rows.status();
    counts.clusters = (*rows)[0][0].AsInt();
    counts.largest = (*rows)[0][1].AsInt();
    counts.clustered_items = (*rows)[0][2].AsInt();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return counts;
}

}  // namespace vigil::service
