// Opening the review store named on a command line (vigil train
// --from-store, vigil backtest --store).
#ifndef VIGIL_TOOLS_CLI_STORE_ACCESS_H_
#define VIGIL_TOOLS_CLI_STORE_ACCESS_H_

#include <iosfwd>
#include <memory>
#include <string>

#include "service/store/flag_store.h"

namespace vigil::cli {

// Opens the store at `url` (OpenFlagStore's URLs; an older schema is
// migrated, as vigil serve would). A SQLite file must exist: opening a new
// path would create an empty store and report on nothing. On failure prints
// "vigil: cannot open the store URL: why" (password redacted) to `err` and
// returns null.
std::unique_ptr<service::FlagStore> OpenExistingStore(const std::string& url,
                                                      std::ostream& err);

}  // namespace vigil::cli

#endif  // VIGIL_TOOLS_CLI_STORE_ACCESS_H_
