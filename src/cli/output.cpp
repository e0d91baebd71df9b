#include "cli/output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "setol/error.hpp"

namespace setol::cli {

const OutputFormat& chosen_format(const OutputOptions& o) {
  if (!o.format.empty()) return output_format(o.format);
  if (!o.output.empty()) {
    const OutputFormat* f = output_format_for_file(o.output);
    return f ? *f : output_format("json");
  }
  return output_format(::isatty(STDOUT_FILENO) ? "table" : "json");
}

bool streams_to_file(const OutputOptions& o) { return !o.output.empty() && chosen_format(o).name == "jsonl"; }

Output::Output(const OutputOptions& o, bool append) : format_(&chosen_format(o)), writer_(format_->make_writer()) {
  if (o.output.empty()) return;
  if (!streams_to_file(o)) {
    file_ = std::make_unique<AtomicFile>(o.output);
    return;
  }
  in_place_path_ = o.output;
  keep_in_place_ = append;
  in_place_ = std::make_unique<std::ofstream>(o.output, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  if (!*in_place_) throw InputError(o.output, "cannot write output file");
  // fdatasync() through any descriptor of the file writes back the file's data.
  sync_fd_ = ::open(o.output.c_str(), O_RDONLY | O_CLOEXEC);
}

void Output::sync_finished_layers() {
  if (sync_fd_ < 0) return;
  const double now = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  if (now - last_sync_ < 1.0) return;
  last_sync_ = now;
  ::fdatasync(sync_fd_);
}

void Output::keep_partial() {
  if (!in_place_) return;
  in_place_->flush();
  keep_in_place_ = true;
}

Output::~Output() {
  if (sync_fd_ >= 0) ::close(sync_fd_);
  if (in_place_ && !keep_in_place_) {
    in_place_->close();
    std::remove(in_place_path_.c_str());
  }
}

std::ostream& Output::stream() {
  if (file_) return file_->stream();
  if (in_place_) return *in_place_;
  return std::cout;
}

void Output::commit() {
  if (file_) {
    file_->commit();
  } else if (in_place_) {
    in_place_->close();
    if (!*in_place_) throw InputError(in_place_path_, "write failed (disk full?)");
    keep_in_place_ = true;
  } else {
    std::cout.flush();
  }
}

bool show_progress(const OutputOptions& o) { return !o.quiet && ::isatty(STDERR_FILENO); }

}  // namespace setol::cli
