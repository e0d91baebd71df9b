// Figures during `analyze --plot/--html` and in `setol plot`: each layer's figures drawn as its
// row is known, then the model figures and the HTML report from the whole JSON report. Both
// commands draw from the same JSON rows and eigenvalues, so they write the same bytes (internal).
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "setol/figures.hpp"

namespace setol::cli {

struct FigureOptions {
  std::string dir;                          // --plot DIR: figure files; empty: none
  fig::FileKinds kinds = fig::FileKinds::Svg;
  std::string html;                         // --html FILE; empty: none
  bool active() const { return !dir.empty() || !html.empty(); }
};

class FigureSink {
 public:
  // `inputs`: the report's inputs in order; with several, input k's figures go to DIR/<k>.
  FigureSink(FigureOptions o, std::vector<std::string> inputs);
  // One analyzed row (as the report writes it) and its eigenvalues.
  void layer(const nlohmann::ordered_json& row, std::vector<double> evals, std::vector<double> rand_evals);
  // The model figures and the HTML report, from the finished JSON report.
  void finish(const nlohmann::ordered_json& report);

 private:
  std::filesystem::path folder(const std::string& model) const;
  static std::string key(const nlohmann::ordered_json& row);
  FigureOptions o_;
  std::vector<std::string> inputs_;
  std::map<std::string, fig::Drawn> drawn_;  // by row key, for the HTML report
};

}  // namespace setol::cli
