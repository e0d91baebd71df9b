// The subcommands behind run_cli (internal).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "setol/analyze.hpp"

namespace setol::cli {

struct OutputOptions {
  std::optional<std::string> format;  // unset: from -o's extension, else table on a terminal, json otherwise
  std::string output;                 // -o FILE; empty = stdout
  bool quiet = false;
};

struct AnalyzeArgs {
  std::string path;
  AnalyzeOptions options;
  OutputOptions out;
  std::string dump_esd;
  std::string fail_on;
  bool profile = false;
};

struct DescribeArgs {
  std::string path;
  AnalyzeOptions options;  // size filters decide the "analyzed" column
  OutputOptions out;
};

int run_analyze(const AnalyzeArgs& a);
int run_describe(const DescribeArgs& a);

}  // namespace setol::cli
