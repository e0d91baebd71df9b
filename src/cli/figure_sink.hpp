// Figures during `analyze --plot/--html` and in `setol plot`: each layer's figures drawn as its
// row is known, then the model figures and the HTML report from the whole JSON report. Both
// commands draw from the same JSON rows and eigenvalues, so they write the same bytes. Layer
// figures are drawn by a thread of their own, beside the analysis (internal).
#pragma once
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
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
  ~FigureSink();
  FigureSink(const FigureSink&) = delete;
  FigureSink& operator=(const FigureSink&) = delete;
  // One analyzed row (as the report writes it) and its eigenvalues: queued for drawing.
  void layer(nlohmann::ordered_json row, std::vector<double> evals, std::vector<double> rand_evals);
  // Waits for the layer figures (rethrowing a failure to write one), then draws the model
  // figures and writes the HTML report from the finished JSON report.
  void finish(const nlohmann::ordered_json& report);

 private:
  struct Job {
    nlohmann::ordered_json row;
    std::vector<double> evals, rand_evals;
  };
  void draw(const Job& job);
  void drain();  // the drawing thread
  std::filesystem::path folder(const std::string& model) const;
  static std::string key(const nlohmann::ordered_json& row);
  FigureOptions o_;
  std::vector<std::string> inputs_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool closing_ = false;
  std::exception_ptr failure_;
  std::map<std::string, fig::Drawn> drawn_;  // by row key, for the HTML report
  std::thread thread_;
};

}  // namespace setol::cli
