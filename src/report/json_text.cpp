// JSON text of a report value, whatever bytes its strings hold.
#include "report/json_text.hpp"

#include <cstdio>

namespace setol::report {
namespace {

// Length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF), or 0 if the byte there does not start one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c == 0xE0) n = 3, lo = 0xA0;
  else if (c == 0xED) n = 3, hi = 0x9F;
  else if (c >= 0xE1 && c <= 0xEF) n = 3;
  else if (c == 0xF0) n = 4, lo = 0x90;
  else if (c == 0xF4) n = 4, hi = 0x8F;
  else if (c >= 0xF1 && c <= 0xF3) n = 4;
  else return 0;
  if (i + n > s.size() || byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return n;
}

void escape_strings(nlohmann::ordered_json& j) {
  if (j.is_string()) {
    j = utf8_or_escaped(j.get_ref<const std::string&>());
  } else if (j.is_object()) {
    nlohmann::ordered_json fixed = nlohmann::ordered_json::object();
    for (auto& [k, v] : j.items()) {
      escape_strings(v);
      fixed[utf8_or_escaped(k)] = std::move(v);
    }
    j = std::move(fixed);
  } else if (j.is_array()) {
    for (auto& v : j) escape_strings(v);
  }
}

}  // namespace

std::string utf8_or_escaped(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (const std::size_t n = utf8_sequence(s, i)) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(s[i]));
      out += hex;
      ++i;
    }
  }
  return out;
}

std::string json_text(const nlohmann::ordered_json& j, int indent) {
  try {
    return j.dump(indent);
  } catch (const nlohmann::json::type_error&) {  // a string that is not UTF-8 (error 316)
    nlohmann::ordered_json copy = j;
    escape_strings(copy);
    return copy.dump(indent);
  }
}

}  // namespace setol::report
