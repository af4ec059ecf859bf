// A tiny flag parser for the vigil subcommands: "--name value" pairs,
// boolean "--name" switches, and positional arguments.
#ifndef VIGIL_TOOLS_CLI_FLAGS_H_
#define VIGIL_TOOLS_CLI_FLAGS_H_

#include <charconv>
#include <cstdint>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <type_traits>
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

  // Records what was wrong, unless an earlier error is there: the first
  // error is the one reported. Commands report every bad flag this way.
  void Fail(std::string what) {
    if (error.empty()) error = std::move(what);
  }

  // Reads flag `name` as a whole number from `min` to `max` into *out (an
  // integer type holding that range). An absent flag leaves *out alone; a
  // bad value sets `error` (unless an earlier one is there: the first error
  // is reported) and returns false.
  template <typename T>
  bool GetWholeNumber(const std::string& name, int64_t min, int64_t max,
                      T* out) {
    static_assert(std::is_integral_v<T>);
    const std::string text = Get(name);
    if (text.empty()) return true;
    int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n < min ||
        n > max) {
      Fail(name + " takes a whole number from " + std::to_string(min) + " to " +
           std::to_string(max));
      return false;
    }
    *out = static_cast<T>(n);
    return true;
  }

  // When parsing failed or positional arguments were given to a command
  // that takes none: prints "vigil <command>: <what>" and `usage` to `err`
  // and returns true (the command then exits 2).
  bool ReportUsageError(const char* command, const char* usage,
                        std::ostream& err) const {
    if (error.empty() && positional.empty()) return false;
    err << "vigil " << command << ": "
        << (error.empty() ? "unexpected argument" : error) << "\n"
        << usage;
    return true;
  }
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

// "30m", "24h", "7d" (a positive whole number of minutes, hours or days)
// -> seconds; 0 when malformed.
inline int64_t ParseDurationSeconds(const std::string& text) {
  if (text.size() < 2) return 0;
  int64_t n = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size() - 1, n);
  if (ec != std::errc() || end != text.data() + text.size() - 1 || n <= 0 ||
      n > 1000000) {
    return 0;
  }
  switch (text.back()) {
    case 'm':
      return n * 60;
    case 'h':
      return n * 3600;
    case 'd':
      return n * 86400;
    default:
      return 0;
  }
}

}  // namespace vigil::cli

#endif  // VIGIL_TOOLS_CLI_FLAGS_H_
