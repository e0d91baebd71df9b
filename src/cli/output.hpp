// Where a report goes: stdout, or a file written atomically (nothing left behind on error),
// in the format asked for or implied by the file's extension. A JSONL report to a file is
// written in place instead, line by line, so that an interrupted run keeps its finished
// layers (--resume appends to it); it is removed if the run ends in an error, unless resumed.
#pragma once
#include <fstream>
#include <memory>
#include <ostream>

#include "cli/commands.hpp"
#include "setol/report.hpp"

namespace setol::cli {

class Output {
 public:
  // `append`: continue an existing streaming file (--resume); the caller has checked it.
  explicit Output(const OutputOptions& o, bool append = false);
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  std::ostream& stream();
  const OutputFormat& format() const { return *format_; }
  ReportWriter& writer() { return *writer_; }
  void commit();  // renames the file into place / flushes and closes (no-op for stdout)
  // A streaming file: asks the kernel to put what was written on disk, at most once a second,
  // so that finished layers survive a crash of the machine, not only of the process.
  void sync_finished_layers();
  // A streaming file is kept even though the run ends in an error (its rows are finished).
  void keep_partial();

 private:
  const OutputFormat* format_;
  std::unique_ptr<ReportWriter> writer_;
  std::unique_ptr<AtomicFile> file_;
  std::unique_ptr<std::ofstream> in_place_;
  std::string in_place_path_;
  bool keep_in_place_ = false;
  int sync_fd_ = -1;
  double last_sync_ = 0;
};

// The format a run with these options writes.
const OutputFormat& chosen_format(const OutputOptions& o);
// True if this run writes a JSONL file in place (resumable).
bool streams_to_file(const OutputOptions& o);

// True if progress lines should go to stderr.
bool show_progress(const OutputOptions& o);

}  // namespace setol::cli
