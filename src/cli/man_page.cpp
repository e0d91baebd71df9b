// The man page, generated from the same CLI11 declarations as --help (so it cannot drift):
// `setol --man-page > setol.1` runs at build time and the page is installed with the binary.
#include <CLI/CLI.hpp>
#include <sstream>

#include "cli/commands.hpp"
#include "setol/report.hpp"

namespace setol::cli {
namespace {

// roff: a leading '.' or '\'' starts a request, '\' an escape, '-' is a hyphen.
std::string roff(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

void options_section(std::ostringstream& o, const CLI::App& cmd) {
  for (const CLI::Option* opt : cmd.get_options()) {
    if (opt->get_group().empty()) continue;
    o << ".TP\n\\fB";
    std::string names;
    if (opt->get_positional()) names = opt->get_name(true, false);
    for (const auto& s : opt->get_snames()) names += (names.empty() ? "-" : ", -") + s;
    for (const auto& l : opt->get_lnames()) names += (names.empty() ? "--" : ", --") + l;
    o << roff(names) << "\\fR";
    if (!opt->get_type_name().empty() && !opt->get_positional()) o << " \\fI" << roff(opt->get_type_name()) << "\\fR";
    o << '\n' << roff(opt->get_description());
    if (!opt->get_default_str().empty()) o << " (default: " << roff(opt->get_default_str()) << ")";
    o << '\n';
  }
}

}  // namespace

std::string man_page(const CLI::App& app) {
  std::ostringstream o;
  o << ".TH SETOL 1 \"\" \"setol " << SETOL_VERSION << "\" \"User Commands\"\n";
  o << ".SH NAME\nsetol \\- " << roff(app.get_description().substr(std::string("setol: ").size())) << "\n";
  o << ".SH SYNOPSIS\n";
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    o << "\\fBsetol " << sub->get_name() << "\\fR [\\fIoptions\\fR] \\fIPATH\\fR\n.br\n";
  o << "\\fBsetol \\-\\-version\\fR\n";
  o << ".SH DESCRIPTION\n"
    << "setol reads a checkpoint's weight matrices and, without any training or test data, computes the "
       "heavy-tailed self-regularization metrics of each layer (power-law alpha, alpha_weighted, ...) with "
       "WeightWatcher's column names. Every output column is defined in docs/metrics.md.\n";
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    o << ".SH COMMAND: " << sub->get_name() << "\n" << roff(sub->get_description()) << "\n";
    options_section(o, *sub);
  }
  o << ".SH OUTPUT FORMATS\n";
  for (const auto& f : output_formats())
    o << ".TP\n\\fB" << f.name << "\\fR\n" << roff(std::string(f.doc)) << "\n";
  o << ".SH ENVIRONMENT\n"
       ".TP\n\\fBSETOL_HDF5_TIMEOUT\\fR\nSeconds libhdf5 may take to list an HDF5 or Keras file, and the base of "
       "each dataset's deadline, which adds 10 s per GiB (default 120, from 0.001 to 9999999, to the millisecond). "
       "A damaged file that makes "
       "libhdf5 loop ends with exit status 2 after this time.\n"
       ".TP\n\\fBSETOL_CONTAINED_STDERR\\fR\n1 keeps what libhdf5 prints on stderr in its contained reader process "
       "(for debugging a damaged file); otherwise it is discarded and the error is one line.\n";
  o << ".SH EXIT STATUS\n0 success; 1 a \\-\\-fail\\-on rule matched (after the report was written); 2 could not "
       "run: a bad option, or a missing, unreadable or corrupt input (one line on stderr names the file and the "
       "problem, and no output file is left).\n";
  return o.str();
}

}  // namespace setol::cli
