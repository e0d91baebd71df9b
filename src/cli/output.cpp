#include "cli/output.hpp"

#include <unistd.h>

#include <iostream>

namespace setol::cli {
namespace {

Format default_format(const OutputOptions& o) {
  if (o.format) return parse_format(*o.format);
  if (!o.output.empty()) {
    const auto ext = std::filesystem::path(o.output).extension().string();
    if (ext == ".csv") return Format::Csv;
    if (ext == ".jsonl") return Format::Jsonl;
    if (ext == ".txt") return Format::Table;
    return Format::Json;
  }
  return ::isatty(STDOUT_FILENO) ? Format::Table : Format::Json;
}

}  // namespace

Output::Output(const OutputOptions& o) : format_(default_format(o)) {
  if (!o.output.empty()) file_ = std::make_unique<AtomicFile>(o.output);
}

std::ostream& Output::stream() { return file_ ? file_->stream() : std::cout; }

void Output::commit() {
  if (file_) file_->commit();
  else std::cout.flush();
}

bool show_progress(const OutputOptions& o) { return !o.quiet && ::isatty(STDERR_FILENO); }

}  // namespace setol::cli
