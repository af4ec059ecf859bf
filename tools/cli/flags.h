// A tiny flag parser for the vigil subcommands: "--name value" pairs,
// boolean "--name" switches, and positional arguments.
#ifndef VIGIL_TOOLS_CLI_FLAGS_H_
#define VIGIL_TOOLS_CLI_FLAGS_H_

#include <map>
#include <set>
#include <string>
#include <vector>

namespace vigil::cli {

struct ParsedFlags {
  std::map<std::string, std::string> values;  // "--input" → "x.jsonl"
  std::set<std::string> switches;             // "--json"
  std::vector<std::string> positional;
  std::string error;  // non-empty: what was wrong

  std::string Get(const std::string& name, const std::string& def = "") const {
    auto it = values.find(name);
    return it == values.end() ? def : it->second;
  }
  bool Has(const std::string& name) const { return switches.count(name) > 0; }
};

// Parses `args`: names in `with_value` take the next argument; names in
// `switches` take none; anything else starting with '-' is an error, and
// everything after "--" is positional.
inline ParsedFlags ParseFlags(const std::vector<std::string>& args,
                              const std::set<std::string>& with_value,
                              const std::set<std::string>& switches) {
  ParsedFlags f;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {  // the rest is positional, even if it starts with '-'
      f.positional.insert(f.positional.end(), args.begin() + i + 1, args.end());
      return f;
    }
    if (with_value.count(a)) {
      if (i + 1 >= args.size()) {
        f.error = a + " needs a value";
        return f;
      }
      f.values[a] = args[++i];
    } else if (switches.count(a)) {
      f.switches.insert(a);
    } else if (a.size() > 1 && a[0] == '-' && a != "-") {
      f.error = "unknown argument '" + a + "'";
      return f;
    } else {
      f.positional.push_back(a);
    }
  }
  return f;
}

}  // namespace vigil::cli

#endif  // VIGIL_TOOLS_CLI_FLAGS_H_
