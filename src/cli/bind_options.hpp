// Binds declared options (setol/options.hpp) to CLI11 flags: the CLI's only knowledge of
// an option is its declaration (internal).
#pragma once
#include <CLI/CLI.hpp>
#include <cmath>

#include "setol/options.hpp"

namespace setol::cli {

template <class T>
void bind_options(CLI::App* cmd, T& target, const std::vector<OptionSpec<T>>& specs, bool describe_only = false) {
  for (const auto& s : specs) {
    if (describe_only && !s.for_describe) continue;
    CLI::Option* opt = std::visit(
        [&](const auto& f) -> CLI::Option* {
          using F = std::decay_t<decltype(f)>;
          if constexpr (std::is_same_v<F, ChoiceField<T>>) {
            return cmd
                ->add_option_function<std::string>(
                    s.flags, [set = f.set, &target](const std::string& v) { set(target, v); }, s.help)
                ->check(CLI::IsMember(f.choices));
          } else {
            auto& v = f(target);
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, bool>) {
              return cmd->add_flag(s.flags, v, s.help);
            } else {
              CLI::Option* o = cmd->add_option(s.flags, v, s.help);
              if constexpr (std::is_same_v<V, std::vector<std::string>>) o->delimiter(',');
              if constexpr (std::is_arithmetic_v<V>) {
                o->capture_default_str();
                if (std::isfinite(s.min) || std::isfinite(s.max)) o->check(CLI::Range(s.min, s.max).description(""));
              }
              return o;
            }
          }
        },
        s.field);
    if (!s.value_name.empty()) opt->type_name(s.value_name);
  }
}

}  // namespace setol::cli
