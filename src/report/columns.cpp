// The column catalogue. Names are WeightWatcher's (the keys of the `details` frame that
// WeightWatcher.analyze returns) wherever WeightWatcher has the column; docs/metrics.md
// defines each. Metric cells are empty (null) for rows that were skipped or failed to load.
#include <cmath>
#include <optional>

#include "setol/analyze.hpp"
#include "setol/columns.hpp"
#include "setol/summary.hpp"

namespace setol {
namespace {

using Get = std::function<Cell(const LayerRecord&)>;
using K = ColumnKind;
using How = SummarySpec::How;
using N = ColumnNeeds;

Get metric(Get f) {
  return [f = std::move(f)](const LayerRecord& r) -> Cell { return r.has_metrics() ? f(r) : Cell{}; };
}
Get scale(double ScaleMetrics::*field) {
  return metric([field](const LayerRecord& r) { return Cell{(*r.scale).*field}; });
}
Get fit(double PowerLawFit::*field) {
  return metric([field](const LayerRecord& r) { return Cell{r.fit.*field}; });
}
template <class T>
Get record(T LayerRecord::*field) {
  return metric([field](const LayerRecord& r) { return Cell{r.*field}; });
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

SummarySpec mean(int rank, bool in_table = false) { return {How::Mean, rank, in_table}; }
TableSpec table(std::string header, int width, bool right = false, int precision = -1, int gap = 0) {
  return {std::move(header), width, right, precision, gap};
}

// The six columns of an MP fit, read through `pick` (the layer's own or the randomised one).
void add_mp_columns(std::vector<CatalogueEntry>& c, N needs, const std::string& prefix,
                    std::function<const MpFit*(const LayerRecord&)> pick, const std::string& of) {
  auto num = [pick](auto MpFit::*f) -> Get {
    return [pick, f](const LayerRecord& r) -> Cell {
      const MpFit* m = r.has_metrics() ? pick(r) : nullptr;
      return m ? Cell{m->*f} : Cell{};
    };
  };
  // A permutation keeps the sum of the eigenvalues, so rand_W_scale is deterministic.
  const bool random = !prefix.empty();
  const K real = random ? K::Randomized : K::Real;
  c.push_back({{.name = prefix + "num_spikes", .kind = random ? K::Randomized : K::Integer, .get = num(&MpFit::num_spikes),
                .doc = "Eigenvalues of " + of + " beyond the MP bulk edge plus the Tracy-Widom margin"},
               needs});
  c.push_back({{.name = prefix + "sigma_mp", .kind = real, .get = num(&MpFit::sigma_mp),
                .doc = "Fitted MP sigma of " + of + " in mean-1 units"},
               needs});
  c.push_back({{.name = prefix + "mp_softrank", .kind = real, .get = num(&MpFit::mp_softrank),
                .doc = "MP bulk edge / largest eigenvalue of " + of,
                .summary = random ? SummarySpec{} : mean(7)},
               needs});
  c.push_back({{.name = prefix + "W_scale", .kind = K::Real, .get = num(&MpFit::W_scale),
                .doc = "sqrt(n / sum of eigenvalues) of " + of + ": the mean-1 rescaling"},
               needs});
  c.push_back({{.name = prefix + "bulk_min", .kind = real, .get = num(&MpFit::bulk_min),
                .doc = "Lower MP bulk edge of " + of + " in eigenvalue units"},
               needs});
  c.push_back({{.name = prefix + "bulk_max", .kind = real, .get = num(&MpFit::bulk_max),
                .doc = "Upper MP bulk edge of " + of + " in eigenvalue units"},
               needs});
}


std::string htmp_status_text(htmp::Fit::Status s) {
  switch (s) {
    case htmp::Fit::Status::Success: return "success";
    case htmp::Fit::Status::MpLike: return "mp-like";
    case htmp::Fit::Status::Failed: break;
  }
  return "failed";
}

std::vector<CatalogueEntry> build_catalogue() {
  std::vector<CatalogueEntry> c;
  auto add = [&c](Column col, N needs = N::Always) { c.push_back({std::move(col), needs}); };

  // Identity
  add({.name = "model", .kind = K::Text, .get = [](const LayerRecord& r) { return Cell{r.model}; },
       .doc = "The input the layer comes from, as given on the command line (runs with several inputs)",
       .table = table("model", TableSpec::kFit)},
      N::Batch);
  add({.name = "layer_id", .kind = K::Id, .get = [](const LayerRecord& r) { return Cell{std::int64_t{r.layer_id}}; },
       .doc = "Index of the tensor in the model's tensor list",
       .table = table("id", 5)});
  add({.name = "slice_id", .kind = K::Id,
       .get = [](const LayerRecord& r) { return r.slice_id ? Cell{std::int64_t{*r.slice_id}} : Cell{}; },
       .doc = "Kernel position i*kw + j of a convolution slice (--no-pool)"},
      N::Unpooled);
  add({.name = "name", .kind = K::Text, .get = [](const LayerRecord& r) { return Cell{r.name}; },
       .doc = "The tensor's name in the file",
       .table = table("name", TableSpec::kFit)});
  add({.name = "layer_type", .kind = K::Text,
       .get = [](const LayerRecord& r) { return Cell{std::string(layer_type_name(r.geometry.type))}; },
       .doc = "dense, embedding, conv1d or conv2d",
       .table = table("type", 10)});
  add({.name = "N", .kind = K::Integer, .get = [](const LayerRecord& r) { return Cell{r.geometry.N}; },
       .doc = "Larger dimension of one matrix",
       .table = table("N x M", 13, true)});
  add({.name = "M", .kind = K::Integer, .get = [](const LayerRecord& r) { return Cell{r.geometry.M}; },
       .doc = "Smaller dimension of one matrix"});
  add({.name = "Q", .kind = K::Real, .get = [](const LayerRecord& r) { return Cell{r.Q()}; }, .doc = "N / M"});
  add({.name = "rf", .kind = K::Integer, .get = [](const LayerRecord& r) { return Cell{r.geometry.rf}; },
       .doc = "Receptive field kh*kw (1 for dense)"});
  add({.name = "num_evals", .kind = K::Integer, .get = [](const LayerRecord& r) { return Cell{r.num_evals}; },
       .doc = "Number of eigenvalues in the ESD"});

  // Power-law fit
  add({.name = "alpha", .kind = K::Real, .get = fit(&PowerLawFit::alpha), .doc = "Power-law exponent of the ESD tail",
       .summary = mean(2, true), .table = table("alpha", 8, true, 3)});
  add({.name = "alpha_weighted", .kind = K::Real, .get = record(&LayerRecord::alpha_weighted),
       .doc = "alpha * log10(lambda_max) (AlphaHat)", .summary = mean(3, true), .table = table("alpha_w", 10, true, 3)});
  add({.name = "log_alpha_norm", .kind = K::Real, .get = record(&LayerRecord::log_alpha_norm),
       .doc = "log10 of the sum of lambda^alpha", .summary = mean(4)});
  add({.name = "xmin", .kind = K::Real, .get = fit(&PowerLawFit::xmin), .doc = "Start of the power-law tail"});
  add({.name = "xmax", .kind = K::Real, .get = fit(&PowerLawFit::xmax), .doc = "Largest eigenvalue fitted"});
  add({.name = "D", .kind = K::Real, .get = fit(&PowerLawFit::D), .doc = "Kolmogorov-Smirnov distance of the fit",
       .table = table("D", 8, true, 3)});
  add({.name = "sigma", .kind = K::Real, .get = fit(&PowerLawFit::sigma), .doc = "Standard error of alpha"});
  add({.name = "num_pl_spikes", .kind = K::Integer,
       .get = metric([](const LayerRecord& r) { return Cell{r.fit.num_pl_spikes}; }),
       .doc = "Eigenvalues in the power-law tail", .table = table("spikes", 8, true)});
  add({.name = "warning", .kind = K::Text, .get = metric([](const LayerRecord& r) { return Cell{r.warning()}; }),
       .doc = "over-trained (alpha < 2) or under-trained (alpha > 6)", .summary = {How::Count, 2, false},
       .table = table("warning", 15, false, -1, 2)});

  // Scale metrics
  add({.name = "norm", .kind = K::Real, .get = scale(&ScaleMetrics::norm), .doc = "Squared Frobenius norm"});
  add({.name = "log_norm", .kind = K::Real, .get = scale(&ScaleMetrics::log_norm), .doc = "log10 of norm",
       .summary = mean(1, true)});
  add({.name = "spectral_norm", .kind = K::Real, .get = scale(&ScaleMetrics::lambda_max),
       .doc = "Largest eigenvalue (squared spectral norm)"});
  add({.name = "log_spectral_norm", .kind = K::Real, .get = scale(&ScaleMetrics::log_spectral_norm),
       .doc = "log10 of the largest eigenvalue", .summary = mean(5, true)});
  add({.name = "stable_rank", .kind = K::Real, .get = scale(&ScaleMetrics::stable_rank), .doc = "norm / lambda_max",
       .summary = mean(6, true)});
  add({.name = "entropy", .kind = K::Real, .get = scale(&ScaleMetrics::entropy),
       .doc = "Matrix entropy normalised by the rank"});
  add({.name = "renyi_entropy_2", .kind = K::Real,
       .get = metric([](const LayerRecord& r) { return Cell{r.entropies.renyi2}; }), .doc = "Renyi entropy of order 2"});
  add({.name = "tsallis_entropy_2", .kind = K::Real,
       .get = metric([](const LayerRecord& r) { return Cell{r.entropies.tsallis2}; }),
       .doc = "Tsallis entropy of order 2"});
  add({.name = "effective_rank", .kind = K::Real,
       .get = metric([](const LayerRecord& r) { return Cell{r.entropies.effective_rank}; }),
       .doc = "exp(spectral Shannon entropy)"});
  add({.name = "matrix_rank", .kind = K::Integer,
       .get = metric([](const LayerRecord& r) { return Cell{r.scale->matrix_rank}; }),
       .doc = "Singular values above the numerical-zero tolerance"});
  add({.name = "rank_loss", .kind = K::Integer, .get = record(&LayerRecord::rank_loss),
       .doc = "Singular values at numerical zero"});
  add({.name = "weak_rank_loss", .kind = K::Integer,
       .get = metric([](const LayerRecord& r) { return Cell{r.scale->weak_rank_loss}; }),
       .doc = "Eigenvalues below 1e-6"});
  add({.name = "lambda_max", .kind = K::Real, .get = scale(&ScaleMetrics::lambda_max), .doc = "Largest eigenvalue"});
  add({.name = "sv_max", .kind = K::Real, .get = record(&LayerRecord::sv_max), .doc = "Largest singular value"});
  add({.name = "sv_min", .kind = K::Real, .get = record(&LayerRecord::sv_min),
       .doc = "Largest over slices of each slice's smallest singular value"});

  // Tail-fit options
  add({.name = "Lambda", .kind = K::Real, .get = fit(&PowerLawFit::Lambda), .doc = "TPL exponential cutoff rate"},
      N::Tpl);
  add({.name = "num_fingers", .kind = K::Integer,
       .get = metric([](const LayerRecord& r) { return Cell{r.fit.num_fingers}; }),
       .doc = "Largest eigenvalues removed by clip_xmax"},
      N::ClipXmax);
  add({.name = "raw_alpha", .kind = K::Real, .get = fit(&PowerLawFit::raw_alpha), .doc = "alpha before clipping"},
      N::ClipXmax);

  // Marchenko-Pastur fit and randomisation
  add_mp_columns(c, N::MpFit, "", [](const LayerRecord& r) { return r.mp ? &*r.mp : nullptr; }, "the ESD");
  auto rnd = [](double LayerRecord::Randomized::*f) { return part_field(&LayerRecord::randomized, f); };
  add({.name = "max_rand_eval", .kind = K::Randomized, .get = rnd(&LayerRecord::Randomized::max_rand_eval),
       .doc = "Largest eigenvalue of the element-permuted matrices"},
      N::Randomize);
  add({.name = "rand_distance", .kind = K::Randomized, .get = rnd(&LayerRecord::Randomized::rand_distance),
       .doc = "Jensen-Shannon distance between the ESD and a permuted ESD"},
      N::Randomize);
  add({.name = "ww_softrank", .kind = K::Randomized, .get = rnd(&LayerRecord::Randomized::ww_softrank),
       .doc = "Largest permuted eigenvalue / lambda_max"},
      N::Randomize);
  add({.name = "ww_maxdist", .kind = K::Randomized, .get = rnd(&LayerRecord::Randomized::ww_maxdist),
       .doc = "lambda_max - largest permuted eigenvalue"},
      N::Randomize);
  add_mp_columns(c, N::Randomize, "rand_", [](const LayerRecord& r) { return r.randomized ? &r.randomized->mp : nullptr; },
                 "the permuted ESD");
  add({.name = "correlation_trap", .kind = K::Flag,
       .get = [](const LayerRecord& r) {
         const auto t = r.correlation_trap();
         return t ? Cell{*t} : Cell{};
       },
       .doc = "A permuted eigenvalue lies beyond the permuted MP bulk edge"},
      N::Randomize);

  // detX and SETOL
  add({.name = "detX_num", .kind = K::Integer, .get = part_field(&LayerRecord::detx, &DetX::num),
       .doc = "Size of the ERG (detX) tail"},
      N::Detx);
  add({.name = "detX_val", .kind = K::Real,
       .get = [](const LayerRecord& r) { return r.detx ? optional_double(r.detx->val, r.detx->found) : Cell{}; },
       .doc = "Smallest eigenvalue of the ERG tail"},
      N::Detx);
  add({.name = "detX_val_unrescaled", .kind = K::Real,
       .get = [](const LayerRecord& r) { return r.detx ? optional_double(r.detx->val_rescaled, r.detx->found) : Cell{}; },
       .doc = "detX_val in mean-1 units"},
      N::Detx);
  auto ecs = [](auto EcsMeasures::*f) { return part_field(&LayerRecord::ecs, f); };
  add({.name = "erg_lambda_min", .kind = K::Real, .get = ecs(&EcsMeasures::erg_lambda_min),
       .doc = "Start of the ERG tail"},
      N::DetxOrSetol);
  add({.name = "delta_lambda_min", .kind = K::Real, .get = ecs(&EcsMeasures::delta_lambda_min),
       .doc = "PL tail start minus ERG tail start, mean-1 units"},
      N::DetxOrSetol);
  add({.name = "erg_residual", .kind = K::Real, .get = ecs(&EcsMeasures::erg_residual),
       .doc = "Sum of ln(mu) over the PL tail (0 under the ERG condition)"},
      N::DetxOrSetol);
  add({.name = "ecs_rank", .kind = K::Integer, .get = ecs(&EcsMeasures::ecs_rank), .doc = "Size of the ECS"},
      N::DetxOrSetol);
  add({.name = "erg_ok", .kind = K::Flag,
       .get = [](const LayerRecord& r) { return r.ecs && std::isfinite(r.ecs->erg_residual) ? Cell{r.ecs->erg_ok} : Cell{}; },
       .doc = "The PL tail satisfies the ERG condition to 10% per eigenvalue"},
      N::DetxOrSetol);
  add({.name = "quality_discrete", .kind = K::Real, .get = ecs(&EcsMeasures::quality_discrete),
       .doc = "log10 layer quality, discrete R-transform (experimental)"},
      N::Setol);
  add({.name = "quality_free_cauchy", .kind = K::Real, .get = ecs(&EcsMeasures::quality_free_cauchy),
       .doc = "log10 layer quality, free Cauchy R-transform (experimental)"},
      N::Setol);
  add({.name = "quality_imp", .kind = K::Real, .get = ecs(&EcsMeasures::quality_imp),
       .doc = "log10 layer quality, inverse-MP R-transform (experimental)"},
      N::Setol);
  add({.name = "quality_levy_wigner", .kind = K::Real, .get = ecs(&EcsMeasures::quality_levy_wigner),
       .doc = "log10 layer quality, Levy-Wigner R-transform (experimental)"},
      N::Setol);

  // HTMP
  auto h = [](double htmp::Fit::*f) { return part_field(&LayerRecord::htmp, f); };
  add({.name = "htmp_kappa", .kind = K::Real, .get = h(&htmp::Fit::kappa), .doc = "Fitted HTMP kappa"}, N::Htmp);
  add({.name = "htmp_kappa_se", .kind = K::Real, .get = h(&htmp::Fit::kappa_se),
       .doc = "Bootstrap standard error of htmp_kappa"},
      N::Htmp);
  add({.name = "htmp_scale", .kind = K::Real, .get = h(&htmp::Fit::scale), .doc = "Mean eigenvalue used to normalise"},
      N::Htmp);
  add({.name = "htmp_D", .kind = K::Real, .get = h(&htmp::Fit::D), .doc = "KS distance to the fitted HTMP law"},
      N::Htmp);
  add({.name = "htmp_method", .kind = K::Text,
       .get = [](const LayerRecord& r) {
         return r.htmp && r.htmp->status == htmp::Fit::Status::Success ? Cell{std::string(r.htmp->method)} : Cell{};
       },
       .doc = "mle or riccati"},
      N::Htmp);
  add({.name = "htmp_status", .kind = K::Text,
       .get = [](const LayerRecord& r) { return r.htmp ? Cell{htmp_status_text(r.htmp->status)} : Cell{}; },
       .doc = "success, mp-like or failed"},
      N::Htmp);

  add({.name = "status", .kind = K::Text, .get = [](const LayerRecord& r) { return Cell{r.status_text()}; },
       .doc = "success, failed, skipped: <reason> or error: <reason>", .summary = {How::Count, 1, true},
       .table = table("status", 0)});
  return c;
}

bool enabled(ColumnNeeds n, const AnalyzeOptions& o, bool with_slice_id, bool batch) {
  switch (n) {
    case N::Always: return true;
    case N::Batch: return batch;
    case N::Unpooled: return with_slice_id;
    case N::Tpl: return o.tail.distribution == TailDistribution::TruncatedPowerLaw;
    case N::ClipXmax: return o.tail.fix_fingers == FixFingers::ClipXmax;
    case N::MpFit: return o.mp_fit;
    case N::Randomize: return o.randomize;
    case N::Detx: return o.detx;
    case N::DetxOrSetol: return o.detx || o.setol;
    case N::Setol: return o.setol;
    case N::Htmp: return o.htmp;
  }
  return false;
}

}  // namespace

bool is_numeric(ColumnKind k) {
  return k == K::Id || k == K::Integer || k == K::Real || k == K::Randomized;
}

double cell_number(const Cell& c) {
  if (const auto* d = std::get_if<double>(&c)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&c)) return static_cast<double>(*i);
  return std::nan("");
}

const std::vector<CatalogueEntry>& column_catalogue() {
  static const std::vector<CatalogueEntry> catalogue = build_catalogue();
  return catalogue;
}

std::vector<Column> analyze_columns(const AnalyzeOptions& opt, bool with_slice_id, bool batch) {
  std::vector<Column> out;
  for (const auto& e : column_catalogue())
    if (enabled(e.needs, opt, with_slice_id, batch)) out.push_back(e.column);
  return out;
}

std::vector<ColumnOf<CellRow>> cell_columns(const std::vector<Column>& columns) {
  auto index = [&](std::string_view name) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < columns.size(); ++i)
      if (columns[i].name == name) return i;
    return std::nullopt;
  };
  auto integer = [](const Cell& c) { return std::to_string(std::get_if<std::int64_t>(&c) ? std::get<std::int64_t>(c) : 0); };
  std::vector<ColumnOf<CellRow>> out;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const Column& c = columns[i];
    ColumnOf<CellRow> k{c.name, c.kind, [i](const CellRow& r) { return i < r.size() ? r[i] : Cell{}; }, c.doc, c.summary,
                        c.table, {}};
    // The table shows a slice's name as name[slice] (cut to 48 characters) and N as NxM.
    if (c.name == "name") {
      const auto slice = index("slice_id");
      k.table_text = [i, slice](const CellRow& r) {
        std::string n = std::get_if<std::string>(&r[i]) ? std::get<std::string>(r[i]) : std::string();
        if (slice && std::holds_alternative<std::int64_t>(r[*slice]))
          n += "[" + std::to_string(std::get<std::int64_t>(r[*slice])) + "]";
        return n.size() > 48 ? n.substr(0, 45) + "..." : n;
      };
    } else if (c.name == "N") {
      if (const auto m = index("M")) k.table_text = [i, m = *m, integer](const CellRow& r) { return integer(r[i]) + "x" + integer(r[m]); };
    }
    out.push_back(std::move(k));
  }
  return out;
}

}  // namespace setol
