// The progress line on a terminal: layers done / total, the layer being computed (name and
// size), elapsed time and an ETA from the layers' estimated cost (Gram + eigensolve flops,
// M^2 N + M^3 per matrix), redrawn at most 10 times a second by its own thread and erased at the
// end. Disabled (nothing at all on stderr) when stderr is not a terminal or with --quiet (internal).
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "setol/layer_record.hpp"

namespace setol::cli {

class Progress {
 public:
  Progress(bool enabled, std::size_t layers, double total_cost);
  ~Progress();  // erases the line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  void started(const LayerRecord& r);
  void finished(const LayerRecord& r);
  void stop();

  // The estimated cost of a layer (0 for a row that is not computed).
  static double cost(const LayerRecord& r);
  // "1:05", "12:03:09"
  static std::string clock(double seconds);

 private:
  void draw();
  bool enabled_;
  std::size_t layers_;
  double total_cost_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::size_t done_ = 0;
  double done_cost_ = 0;
  std::string current_;
  std::thread ticker_;
};

}  // namespace setol::cli
