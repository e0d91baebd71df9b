// Where a report goes: stdout, or a file written atomically (nothing left behind on error).
#pragma once
#include <memory>
#include <ostream>

#include "cli/commands.hpp"
#include "setol/report.hpp"

namespace setol::cli {

class Output {
 public:
  explicit Output(const OutputOptions& o);
  std::ostream& stream();
  Format format() const { return format_; }
  void commit();  // renames the file into place (no-op for stdout)

 private:
  std::unique_ptr<AtomicFile> file_;
  Format format_;
};

// True if progress lines should go to stderr.
bool show_progress(const OutputOptions& o);

}  // namespace setol::cli
