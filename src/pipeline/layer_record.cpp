#include "setol/layer_record.hpp"

namespace setol {

std::string LayerRecord::status_text() const {
  switch (status) {
    case LayerStatus::Pending: return "pending";
    case LayerStatus::Success: return "success";
    case LayerStatus::Failed: return "failed";
    case LayerStatus::Skipped: return "skipped: " + reason;
    case LayerStatus::Error: return "error: " + reason;
  }
  return "";
}

std::optional<bool> LayerRecord::correlation_trap() const {
  if (!randomized || !randomized->mp.ok) return std::nullopt;
  return randomized->mp.num_spikes > 0;
}

std::string LayerRecord::warning() const { return has_metrics() ? training_warning(fit.alpha) : std::string(); }

}  // namespace setol
