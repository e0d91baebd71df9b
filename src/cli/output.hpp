// Where a report goes: stdout, or a file written atomically (nothing left behind on error),
// in the format asked for or implied by the file's extension.
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
  const OutputFormat& format() const { return *format_; }
  ReportWriter& writer() { return *writer_; }
  void commit();  // renames the file into place (no-op for stdout)

 private:
  const OutputFormat* format_;
  std::unique_ptr<ReportWriter> writer_;
  std::unique_ptr<AtomicFile> file_;
};

// True if progress lines should go to stderr.
bool show_progress(const OutputOptions& o);

}  // namespace setol::cli
