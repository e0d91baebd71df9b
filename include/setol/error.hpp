// Errors that stop a run. An InputError names the file and the problem; the CLI
// prints it on one line and exits with status 2.
#pragma once
#include <stdexcept>
#include <string>

namespace setol {

class InputError : public std::runtime_error {
 public:
  InputError(std::string path, std::string problem)
      : std::runtime_error(path + ": " + problem), path_(std::move(path)), problem_(std::move(problem)) {}
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
