#include "cli/output.hpp"

#include <unistd.h>

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
}

Output::~Output() {
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
