#include "tools/cli/store_access.h"

#include <filesystem>
#include <ostream>

namespace vigil::cli {

std::unique_ptr<service::FlagStore> OpenExistingStore(const std::string& url,
                                                      std::ostream& err) {
  if (url.rfind("sqlite:", 0) == 0 && url != "sqlite::memory:" &&
      !std::filesystem::exists(url.substr(7))) {
    err << "vigil: cannot open the store " << url << ": no such file\n";
    return nullptr;
  }
  auto store = service::OpenFlagStore(url);
  if (!store.ok()) {
    err << "vigil: cannot open the store " << service::RedactStoreUrl(url)
        << ": " << store.status().message() << "\n";
    return nullptr;
  }
  return *std::move(store);
}

}  // namespace vigil::cli
