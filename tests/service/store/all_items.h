// Every item a store lists, for tests that read a store directly after a
// server's run (crash, fault and network-fault tests).
#ifndef VIGIL_TESTS_SERVICE_STORE_ALL_ITEMS_H_
#define VIGIL_TESTS_SERVICE_STORE_ALL_ITEMS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "service/store/flag_store.h"

namespace vigil::testing {

// Opens the store at `url` and lists every flagged item (all statuses),
// page by page through ListQueue; the first error if any call fails.
inline absl::StatusOr<std::vector<v1::ReviewItem>> AllItems(
    const std::string& url) {
  auto store = service::OpenFlagStore(url);
  if (!store.ok()) return store.status();
  std::vector<v1::ReviewItem> items;
  v1::ListQueueRequest request;
  request.set_page_size(500);
  while (true) {
    auto page = (*store)->ListQueue(request);
    if (!page.ok()) return page.status();
    items.insert(items.end(), page->items().begin(), page->items().end());
    if (page->next_page_token().empty()) return items;
    request.set_page_token(page->next_page_token());
  }
}

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_SERVICE_STORE_ALL_ITEMS_H_
