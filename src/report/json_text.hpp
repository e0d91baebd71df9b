// JSON text of report values (internal to src/report).
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace setol::report {

// `s` with every byte that is not part of valid UTF-8 written as the four characters \xNN:
// names in checkpoints are bytes, and a JSON string must be UTF-8.
std::string utf8_or_escaped(std::string_view s);

// j.dump(indent), with the strings (values and keys) that are not UTF-8 escaped as above.
std::string json_text(const nlohmann::ordered_json& j, int indent = -1);

}  // namespace setol::report
