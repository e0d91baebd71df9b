#include "cli/output.hpp"

#include <unistd.h>

#include <iostream>

namespace setol::cli {
namespace {

const OutputFormat& chosen_format(const OutputOptions& o) {
  if (!o.format.empty()) return output_format(o.format);
  if (!o.output.empty()) {
    const OutputFormat* f = output_format_for_file(o.output);
    return f ? *f : output_format("json");
  }
  return output_format(::isatty(STDOUT_FILENO) ? "table" : "json");
}

}  // namespace

Output::Output(const OutputOptions& o) : format_(&chosen_format(o)), writer_(format_->make_writer()) {
  if (!o.output.empty()) file_ = std::make_unique<AtomicFile>(o.output);
}

std::ostream& Output::stream() { return file_ ? file_->stream() : std::cout; }

void Output::commit() {
  if (file_) file_->commit();
  else std::cout.flush();
}

bool show_progress(const OutputOptions& o) { return !o.quiet && ::isatty(STDERR_FILENO); }

}  // namespace setol::cli
