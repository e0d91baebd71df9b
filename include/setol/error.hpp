// Errors that stop a run. An InputError names the file and the problem; the CLI
// prints it on one line and exits with status 2.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

namespace setol {

// Text safe for a one-line message: control characters as \n, \r, \t or \xNN, and anything
// longer than `max` bytes cut with "...". File names and tensor names come from files.
inline std::string one_line(std::string_view s, std::size_t max = 400) {
  std::string out;
  for (unsigned char c : s) {
    if (out.size() >= max) return out + "...";
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

class InputError : public std::runtime_error {
 public:
  InputError(std::string path, std::string problem)
      : std::runtime_error(one_line(path) + ": " + one_line(problem, 1000)),
        path_(std::move(path)),
        problem_(std::move(problem)) {}
  const std::string& path() const noexcept { return path_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string path_;
  std::string problem_;
};

// A bad command-line value (also exit status 2).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace setol
