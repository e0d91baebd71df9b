#include "cli/progress.hpp"

#include <cstdio>

namespace setol::cli {

double Progress::cost(const LayerRecord& r) {
  if (r.status != LayerStatus::Pending && !r.has_metrics() && r.status != LayerStatus::Error) return 0;
  const double m = static_cast<double>(r.geometry.M), n = static_cast<double>(r.geometry.N);
  return (m * m * n + m * m * m) * static_cast<double>(r.slice_id ? 1 : r.geometry.rf);
}

std::string Progress::clock(double s) {
  const long t = static_cast<long>(s + 0.5);
  char buf[32];
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

Progress::Progress(bool enabled, std::size_t layers, double total_cost)
    : enabled_(enabled), layers_(layers), total_cost_(total_cost) {
  if (!enabled_) return;
  ticker_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      draw();
      wake_.wait_for(lock, std::chrono::milliseconds(100));
    }
  });
}

Progress::~Progress() { stop(); }

void Progress::stop() {
  if (!enabled_) return;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  ticker_.join();
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
}

void Progress::started(const LayerRecord& r) {
  if (!enabled_) return;
  const std::lock_guard<std::mutex> lock(mutex_);
  std::string name = r.name.size() > 48 ? "…" + r.name.substr(r.name.size() - 47) : r.name;
  for (char& c : name)
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  current_ = name + " (" + std::to_string(r.geometry.N) + "x" + std::to_string(r.geometry.M) +
             (r.geometry.rf > 1 ? "x" + std::to_string(r.geometry.rf) : "") + ")";
}

void Progress::finished(const LayerRecord& r) {
  if (!enabled_) return;
  const std::lock_guard<std::mutex> lock(mutex_);
  ++done_;
  done_cost_ += cost(r);
}

// Called with the mutex held.
void Progress::draw() {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string eta = "--:--";
  if (done_cost_ > 0 && total_cost_ > done_cost_) eta = clock(elapsed * (total_cost_ - done_cost_) / done_cost_);
  else if (total_cost_ > 0 && done_cost_ >= total_cost_) eta = "0:00";
  std::fprintf(stderr, "\r[%zu/%zu] %s  elapsed %s  ETA %s\x1b[K", done_, layers_, current_.c_str(),
               clock(elapsed).c_str(), eta.c_str());
  std::fflush(stderr);
}

}  // namespace setol::cli
