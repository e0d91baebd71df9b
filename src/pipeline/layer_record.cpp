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

std::string LayerRecord::warning() const { return has_metrics() ? training_warning(fit.alpha) : std::string(); }

}  // namespace setol
