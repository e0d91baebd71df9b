// Options declared once. Every option of a command is one OptionSpec: its flags, help text,
// key in the report's "options" object, the field it sets and its allowed values. The CLI
// binds flags from these declarations (cli/bind_options.hpp), --help and the man page show
// their help, and options_json() writes them into reports. Enum <-> text tables live beside
// the enums (EnumNames).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "setol/error.hpp"

namespace setol {

// The spelling of each value of an enum, in one table.
template <class E, std::size_t N>
using EnumNames = std::array<std::pair<E, std::string_view>, N>;

template <class E, std::size_t N>
std::string_view enum_name(const EnumNames<E, N>& names, E v) {
  for (const auto& [e, s] : names)
    if (e == v) return s;
  return {};
}

template <class E, std::size_t N>
E enum_value(const EnumNames<E, N>& names, std::string_view s, std::string_view what) {
  for (const auto& [e, n] : names)
    if (n == s) return e;
  std::string choices;
  for (const auto& [e, n] : names)
    if (!n.empty()) choices += (choices.empty() ? "" : ", ") + std::string(n);
  throw UsageError(std::string(what) + ": unknown value '" + std::string(s) + "' (choose " + choices + ")");
}

// A text-valued option over any field: its choices, and how to read and set it.
template <class T>
struct ChoiceField {
  std::vector<std::string> choices;
  std::function<std::string(const T&)> get;  // "" is reported as null
  std::function<void(T&, const std::string&)> set;
};

template <class T>
struct OptionSpec {
  using Field = std::variant<std::function<bool&(T&)>, std::function<int&(T&)>, std::function<std::int64_t&(T&)>,
                             std::function<std::uint64_t&(T&)>, std::function<double&(T&)>,
                             std::function<std::string&(T&)>, std::function<std::vector<std::string>&(T&)>,
                             ChoiceField<T>>;
  std::string flags;  // "--min-evals", "-o,--output", "--pool,!--no-pool"
  std::string key;    // key in the report's "options"; empty: not reported
  std::string help;
  Field field;
  double min = -std::numeric_limits<double>::infinity();  // numeric range, checked when parsed
  double max = std::numeric_limits<double>::infinity();
  bool zero_is_unset = false;  // a numeric 0 (or an empty text) means "not set": reported as null
  bool for_describe = false;   // also an option of `setol describe` (the layer filters)
  // How or where this process ran (threads, memory budget, output file, exit rules): no row or
  // summary depends on it, so a resumed run or the parts of a sharded run may differ in it.
  bool run_only = false;
  std::string value_name;      // shown in --help and the man page: N, FILE, ...
};

// Binding helpers: field<T>(&T::member) or a lambda for nested members.
template <class T, class V>
std::function<V&(T&)> member(V T::*m) {
  return [m](T& t) -> V& { return t.*m; };
}

template <class T, class E, std::size_t N>
ChoiceField<T> enum_choice(const EnumNames<E, N>& names, std::function<E&(T&)> ref) {
  ChoiceField<T> c;
  for (const auto& [e, n] : names)
    if (!n.empty()) c.choices.emplace_back(n);
  c.get = [names, ref](const T& t) { return std::string(enum_name(names, ref(const_cast<T&>(t)))); };
  c.set = [names, ref](T& t, const std::string& s) { ref(t) = enum_value(names, s, "option"); };
  return c;
}

// The report's "options" object: every spec with a key, in declaration order.
template <class T>
nlohmann::ordered_json options_json(const T& target, const std::vector<OptionSpec<T>>& specs) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  T& t = const_cast<T&>(target);  // the accessors are shared with the binder; nothing is written here
  for (const auto& s : specs) {
    if (s.key.empty()) continue;
    j[s.key] = std::visit(
        [&](const auto& f) -> nlohmann::ordered_json {
          using F = std::decay_t<decltype(f)>;
          if constexpr (std::is_same_v<F, ChoiceField<T>>) {
            const std::string v = f.get(t);
            return v.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
          } else {
            const auto& v = f(t);
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::string>)
              return v.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
            else if constexpr (std::is_arithmetic_v<V> && !std::is_same_v<V, bool>)
              return s.zero_is_unset && v == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
            else
              return nlohmann::ordered_json(v);
          }
        },
        s.field);
  }
  return j;
}

struct AnalyzeOptions;

// The options of an analysis, in report order (setol/analyze.hpp has the struct).
const std::vector<OptionSpec<AnalyzeOptions>>& analyze_option_specs();

// Every analysis option by its report key, plus the fixed facts of the method
// (xmin_threshold, conv2d_norm).
nlohmann::ordered_json to_json(const AnalyzeOptions& o);

// Rejects combinations no analysis can honour (throws UsageError).
void validate(const AnalyzeOptions& o);

}  // namespace setol
