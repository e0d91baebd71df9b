// The fit and scale metrics on WeightWatcher's own eigenvalues (tests/data/oracle, copied
// from WeightWatcher 0.7.5.5 outputs): same xmin, alpha to 1e-10 relative.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "setol/metrics.hpp"
#include "setol/model_reader.hpp"
#include "setol/powerlaw.hpp"

using namespace setol;
using nlohmann::json;

namespace {

std::vector<double> read_npy_f64(const std::string& path) {
  auto m = open_model(path);
  return to_f64(m->load(0));
}

double rel(double a, double b) { return std::fabs(a - b) / std::max(std::fabs(b), 1e-300); }

void check_oracle_dir(const std::string& dir) {
  json details, index;
  std::ifstream(dir + "/details.json") >> details;
  std::ifstream(dir + "/evals/index.json") >> index;
  ASSERT_EQ(details["records"].size(), index.size());
  for (std::size_t i = 0; i < index.size(); ++i) {
    const auto& rec = details["records"][i];
    ASSERT_EQ(rec["name"], index[i]["name"]);
    const auto evals = read_npy_f64(dir + "/evals/" + index[i]["evals"].get<std::string>());
    const std::string name = rec["name"];
    const auto f = fit_power_law(evals);
    ASSERT_TRUE(f.ok) << name;
    EXPECT_EQ(f.xmin, rec["xmin"].get<double>()) << name;  // the same eigenvalue, bit for bit
    EXPECT_LT(rel(f.alpha, rec["alpha"]), 1e-10) << name;
    EXPECT_LT(rel(f.D, rec["D"]), 1e-10) << name;
    EXPECT_LT(rel(f.sigma, rec["sigma"]), 1e-10) << name;
    EXPECT_EQ(f.num_pl_spikes, rec["num_pl_spikes"].get<std::int64_t>()) << name;
    EXPECT_EQ(f.xmax, rec["xmax"].get<double>()) << name;
    const auto s = scale_metrics(evals, rec["N"].get<std::int64_t>());
    EXPECT_LT(rel(s.norm, rec["norm"]), 1e-12) << name;
    EXPECT_LT(rel(s.stable_rank, rec["stable_rank"]), 1e-12) << name;
    EXPECT_LT(rel(s.entropy, rec["entropy"]), 1e-12) << name;
    EXPECT_EQ(s.matrix_rank, rec["matrix_rank"].get<std::int64_t>()) << name;
    EXPECT_EQ(s.weak_rank_loss, rec["weak_rank_loss"].get<std::int64_t>()) << name;
    EXPECT_LT(rel(log_alpha_norm(evals, f.alpha), rec["log_alpha_norm"]), 1e-10) << name;
    EXPECT_LT(rel(alpha_weighted(f.alpha, s.lambda_max), rec["alpha_weighted"]), 1e-10) << name;
    EXPECT_EQ(training_warning(f.alpha), rec["warning"].get<std::string>()) << name;
  }
}

}  // namespace

TEST(OracleFit, Synthetic) { check_oracle_dir(fixtures::data_dir() + "/oracle/synthetic/default"); }
TEST(OracleFit, Mlp3) { check_oracle_dir(fixtures::data_dir() + "/oracle/corpus/mlp3-mnist10k-bs32-lr0.01/default"); }
TEST(OracleFit, CnnFashion) { check_oracle_dir(fixtures::data_dir() + "/oracle/corpus/cnn-fashion-bs64-lr0.01/default"); }
TEST(OracleFit, Gnubg) { check_oracle_dir(fixtures::data_dir() + "/oracle/corpus/gnubg-nets-1.07/default"); }
