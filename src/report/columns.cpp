// The output columns, named as WeightWatcher names them (ww-spec §5-6); docs/metrics.md
// defines each. Metric cells are empty (null) for rows that were skipped or failed to load.
#include <cmath>

#include "setol/error.hpp"
#include "setol/report.hpp"

namespace setol {
namespace {

using Get = std::function<Cell(const LayerRecord&)>;

Get metric(std::function<Cell(const LayerRecord&)> f) {
  return [f = std::move(f)](const LayerRecord& r) -> Cell { return r.has_metrics() ? f(r) : Cell{}; };
}
Get scale(double ScaleMetrics::*field) {
  return metric([field](const LayerRecord& r) { return Cell{(*r.scale).*field}; });
}
Get fit(double PowerLawFit::*field) {
  return metric([field](const LayerRecord& r) { return Cell{r.fit.*field}; });
}
Cell optional_double(double v, bool present) { return present ? Cell{v} : Cell{}; }

// A field of one of the record's optional parts (randomised ESD, ECS, HTMP fit, detX):
// empty when that part was not computed.
template <class Part, class Field>
Get part_field(std::optional<Part> LayerRecord::*part, Field Part::*field) {
  return [part, field](const LayerRecord& r) {
    const auto& p = r.*part;
    return p ? Cell{(*p).*field} : Cell{};
  };
}

// The six columns of an MP fit, read through `pick` (the layer's own or the randomised one).
void add_mp_columns(std::vector<Column>& c, const std::string& prefix,
                    std::function<const MpFit*(const LayerRecord&)> pick) {
  auto num = [pick](auto MpFit::*f) -> Get {
    return [pick, f](const LayerRecord& r) -> Cell {
      const MpFit* m = r.has_metrics() ? pick(r) : nullptr;
      return m ? Cell{m->*f} : Cell{};
    };
  };
  c.push_back({prefix + "num_spikes", num(&MpFit::num_spikes)});
  c.push_back({prefix + "sigma_mp", num(&MpFit::sigma_mp)});
  c.push_back({prefix + "mp_softrank", num(&MpFit::mp_softrank)});
  c.push_back({prefix + "W_scale", num(&MpFit::W_scale)});
  c.push_back({prefix + "bulk_min", num(&MpFit::bulk_min)});
  c.push_back({prefix + "bulk_max", num(&MpFit::bulk_max)});
}

}  // namespace

std::vector<Column> analyze_columns(const AnalyzeOptions& opt, bool with_slice_id) {
  std::vector<Column> c;
  c.push_back({"layer_id", [](const LayerRecord& r) { return Cell{std::int64_t{r.layer_id}}; }});
  if (with_slice_id)
    c.push_back({"slice_id", [](const LayerRecord& r) { return r.slice_id ? Cell{std::int64_t{*r.slice_id}} : Cell{}; }});
  c.push_back({"name", [](const LayerRecord& r) { return Cell{r.name}; }});
  c.push_back({"layer_type", [](const LayerRecord& r) { return Cell{std::string(layer_type_name(r.geometry.type))}; }});
  c.push_back({"N", [](const LayerRecord& r) { return Cell{r.geometry.N}; }});
  c.push_back({"M", [](const LayerRecord& r) { return Cell{r.geometry.M}; }});
  c.push_back({"Q", [](const LayerRecord& r) { return Cell{r.Q()}; }});
  c.push_back({"rf", [](const LayerRecord& r) { return Cell{r.geometry.rf}; }});
  c.push_back({"num_evals", [](const LayerRecord& r) { return Cell{r.num_evals}; }});
  c.push_back({"alpha", fit(&PowerLawFit::alpha)});
  c.push_back({"alpha_weighted", metric([](const LayerRecord& r) { return Cell{r.alpha_weighted}; })});
  c.push_back({"log_alpha_norm", metric([](const LayerRecord& r) { return Cell{r.log_alpha_norm}; })});
  c.push_back({"xmin", fit(&PowerLawFit::xmin)});
  c.push_back({"xmax", fit(&PowerLawFit::xmax)});
  c.push_back({"D", fit(&PowerLawFit::D)});
  c.push_back({"sigma", fit(&PowerLawFit::sigma)});
  c.push_back({"num_pl_spikes", metric([](const LayerRecord& r) { return Cell{r.fit.num_pl_spikes}; })});
  c.push_back({"warning", metric([](const LayerRecord& r) { return Cell{r.warning()}; })});
  c.push_back({"norm", scale(&ScaleMetrics::norm)});
  c.push_back({"log_norm", scale(&ScaleMetrics::log_norm)});
  c.push_back({"spectral_norm", scale(&ScaleMetrics::lambda_max)});
  c.push_back({"log_spectral_norm", scale(&ScaleMetrics::log_spectral_norm)});
  c.push_back({"stable_rank", scale(&ScaleMetrics::stable_rank)});
  c.push_back({"entropy", scale(&ScaleMetrics::entropy)});
  c.push_back({"renyi_entropy_2", metric([](const LayerRecord& r) { return Cell{r.entropies.renyi2}; })});
  c.push_back({"tsallis_entropy_2", metric([](const LayerRecord& r) { return Cell{r.entropies.tsallis2}; })});
  c.push_back({"effective_rank", metric([](const LayerRecord& r) { return Cell{r.entropies.effective_rank}; })});
  c.push_back({"matrix_rank", metric([](const LayerRecord& r) { return Cell{r.scale->matrix_rank}; })});
  c.push_back({"rank_loss", metric([](const LayerRecord& r) { return Cell{r.rank_loss}; })});
  c.push_back({"weak_rank_loss", metric([](const LayerRecord& r) { return Cell{r.scale->weak_rank_loss}; })});
  c.push_back({"lambda_max", scale(&ScaleMetrics::lambda_max)});
  c.push_back({"sv_max", metric([](const LayerRecord& r) { return Cell{r.sv_max}; })});
  c.push_back({"sv_min", metric([](const LayerRecord& r) { return Cell{r.sv_min}; })});
  if (opt.tail.distribution == TailDistribution::TruncatedPowerLaw)
    c.push_back({"Lambda", fit(&PowerLawFit::Lambda)});
  if (opt.tail.fix_fingers == FixFingers::ClipXmax) {
    c.push_back({"num_fingers", metric([](const LayerRecord& r) { return Cell{r.fit.num_fingers}; })});
    c.push_back({"raw_alpha", fit(&PowerLawFit::raw_alpha)});
  }
  if (opt.mp_fit) add_mp_columns(c, "", [](const LayerRecord& r) { return r.mp ? &*r.mp : nullptr; });
  if (opt.randomize) {
    auto rnd = [](double LayerRecord::Randomized::*f) { return part_field(&LayerRecord::randomized, f); };
    c.push_back({"max_rand_eval", rnd(&LayerRecord::Randomized::max_rand_eval)});
    c.push_back({"rand_distance", rnd(&LayerRecord::Randomized::rand_distance)});
    c.push_back({"ww_softrank", rnd(&LayerRecord::Randomized::ww_softrank)});
    c.push_back({"ww_maxdist", rnd(&LayerRecord::Randomized::ww_maxdist)});
    add_mp_columns(c, "rand_", [](const LayerRecord& r) { return r.randomized ? &r.randomized->mp : nullptr; });
    c.push_back({"correlation_trap", [](const LayerRecord& r) {
                   const auto t = r.correlation_trap();
                   return t ? Cell{*t} : Cell{};
                 }});
  }
  if (opt.detx) {
    c.push_back({"detX_num", part_field(&LayerRecord::detx, &DetX::num)});
    c.push_back({"detX_val", [](const LayerRecord& r) {
                   return r.detx ? optional_double(r.detx->val, r.detx->found) : Cell{};
                 }});
    c.push_back({"detX_val_unrescaled", [](const LayerRecord& r) {
                   return r.detx ? optional_double(r.detx->val_rescaled, r.detx->found) : Cell{};
                 }});
  }
  if (opt.detx || opt.setol) {
    auto ecs = [](auto EcsMeasures::*f) { return part_field(&LayerRecord::ecs, f); };
    c.push_back({"erg_lambda_min", ecs(&EcsMeasures::erg_lambda_min)});
    c.push_back({"delta_lambda_min", ecs(&EcsMeasures::delta_lambda_min)});
    c.push_back({"erg_residual", ecs(&EcsMeasures::erg_residual)});
    c.push_back({"ecs_rank", ecs(&EcsMeasures::ecs_rank)});
    c.push_back({"erg_ok", [](const LayerRecord& r) {
                   return r.ecs && std::isfinite(r.ecs->erg_residual) ? Cell{r.ecs->erg_ok} : Cell{};
                 }});
    if (opt.setol) {
      c.push_back({"quality_discrete", ecs(&EcsMeasures::quality_discrete)});
      c.push_back({"quality_free_cauchy", ecs(&EcsMeasures::quality_free_cauchy)});
      c.push_back({"quality_imp", ecs(&EcsMeasures::quality_imp)});
      c.push_back({"quality_levy_wigner", ecs(&EcsMeasures::quality_levy_wigner)});
    }
  }
  if (opt.htmp) {
    auto h = [](double htmp::Fit::*f) { return part_field(&LayerRecord::htmp, f); };
    c.push_back({"htmp_kappa", h(&htmp::Fit::kappa)});
    c.push_back({"htmp_kappa_se", h(&htmp::Fit::kappa_se)});
    c.push_back({"htmp_scale", h(&htmp::Fit::scale)});
    c.push_back({"htmp_D", h(&htmp::Fit::D)});
    c.push_back({"htmp_method", [](const LayerRecord& r) {
                   return r.htmp && r.htmp->status == htmp::Fit::Status::Success ? Cell{std::string(r.htmp->method)}
                                                                                 : Cell{};
                 }});
    c.push_back({"htmp_status", [](const LayerRecord& r) -> Cell {
                   if (!r.htmp) return Cell{};
                   switch (r.htmp->status) {
                     case htmp::Fit::Status::Success: return Cell{std::string("success")};
                     case htmp::Fit::Status::MpLike: return Cell{std::string("mp-like")};
                     case htmp::Fit::Status::Failed: break;
                   }
                   return Cell{std::string("failed")};
                 }});
  }
  c.push_back({"status", [](const LayerRecord& r) { return Cell{r.status_text()}; }});
  return c;
}

Format parse_format(const std::string& s) {
  if (s == "json") return Format::Json;
  if (s == "jsonl") return Format::Jsonl;
  if (s == "csv") return Format::Csv;
  if (s == "table") return Format::Table;
  throw UsageError("unknown format '" + s + "' (choose json, jsonl, csv or table)");
}

}  // namespace setol
