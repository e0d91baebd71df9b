// --fail-on rules: parsing, usage errors, and which layers they catch.
#include <gtest/gtest.h>

#include <cmath>

#include "cli/fail_on.hpp"
#include "setol/analyze.hpp"
#include "setol/error.hpp"

using namespace setol;
using setol::cli::gate_failures;
using setol::cli::GateInput;
using setol::cli::parse_fail_rules;

namespace {

LayerRecord with_alpha(const std::string& name, double alpha, double D, LayerStatus st = LayerStatus::Success) {
  LayerRecord r;
  r.name = name;
  r.status = st;
  r.scale = ScaleMetrics{};
  r.fit.alpha = alpha;
  r.fit.D = D;
  return r;
}

}  // namespace

TEST(FailOn, ParsesRules) {
  const auto cols = analyze_columns(AnalyzeOptions{}, false);
  const auto rules = parse_fail_rules(" alpha > 6 ,D<=0.2,num_pl_spikes!=3", cols);
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].column, "alpha");
  EXPECT_EQ(rules[0].op, ">");
  EXPECT_EQ(rules[0].value, 6);
  EXPECT_EQ(rules[1].op, "<=");
  EXPECT_EQ(rules[1].value, 0.2);
  EXPECT_EQ(rules[2].op, "!=");
}

TEST(FailOn, UsageErrors) {
  const auto cols = analyze_columns(AnalyzeOptions{}, false);
  for (const char* bad : {"nosuch>3", "name>3", "warning==1", "alpha=3", "alpha>x", ">3", "alpha>", ",", "",
                          "rand_distance>0.1" /* needs --randomize */})
    EXPECT_THROW(parse_fail_rules(bad, cols), UsageError) << bad;
  AnalyzeOptions o;
  o.randomize = true;
  EXPECT_NO_THROW(parse_fail_rules("rand_distance>0.1", analyze_columns(o, false)));
}

// The gate lines of rules over one or more inputs' records.
std::vector<std::string> failures(const std::string& spec, const std::vector<std::vector<LayerRecord>>& models,
                                  AnalyzeOptions o = {}) {
  const auto cols = analyze_columns(o, false);
  std::vector<std::vector<CellRow>> rows;
  for (const auto& m : models) {
    rows.emplace_back();
    for (const auto& r : m) rows.back().push_back(cells_of(r, cols));
  }
  std::vector<GateInput> in;
  for (std::size_t k = 0; k < rows.size(); ++k) in.push_back({"m" + std::to_string(k), &rows[k]});
  return gate_failures(parse_fail_rules(spec, cols, models.size()), in, cols);
}

TEST(FailOn, CatchesTheLayersThatBreakARule) {
  std::vector<LayerRecord> recs = {with_alpha("ok", 3, 0.05), with_alpha("big", 7, 0.05), with_alpha("edge", 6, 0.3),
                                   with_alpha("nan", std::nan(""), 0.05),
                                   with_alpha("skipped", 0, 0, LayerStatus::Skipped)};
  const auto hit = failures("alpha>6", {recs});
  ASSERT_EQ(hit.size(), 1u);
  EXPECT_EQ(hit[0], "m0: layer big: 'alpha>6': alpha = 7");
  EXPECT_EQ(failures("alpha>=6", {recs}).size(), 2u);
  EXPECT_EQ(failures("alpha<100", {recs}).size(), 3u);  // NaN and skipped never match
  EXPECT_EQ(failures("alpha>6,D>0.2", {recs}).size(), 2u);
  EXPECT_TRUE(failures("alpha>10", {recs}).empty());
}

TEST(FailOn, ModelRulesAggregateAsTheSummary) {
  // alpha 3, 7, 6 (NaN and skipped rows have no value): mean 16/3, max 7, min 3, sum 16.
  std::vector<LayerRecord> recs = {with_alpha("a", 3, 0.05), with_alpha("b", 7, 0.25), with_alpha("c", 6, 0.3),
                                   with_alpha("nan", std::nan(""), 0.05),
                                   with_alpha("skipped", 0, 0, LayerStatus::Skipped)};
  EXPECT_EQ(failures("mean(alpha)>5.3", {recs}).size(), 1u);
  EXPECT_TRUE(failures("mean(alpha)>5.34", {recs}).empty());
  EXPECT_EQ(failures("max(D)>0.29", {recs}), std::vector<std::string>{"m0: 'max(D)>0.29': max(D) = 0.3"});
  EXPECT_TRUE(failures("max(D)>0.3", {recs}).empty());
  EXPECT_EQ(failures("min(alpha)<3.5", {recs}).size(), 1u);
  EXPECT_EQ(failures("sum(alpha)==16", {recs}).size(), 1u);
  // warning: alpha 7 under-trained (> 6), alpha 3, 6 and NaN none; status counts
  // like the summary ("skipped: ..." is "skipped").
  EXPECT_EQ(failures("count(warning==\"under-trained\")>=1", {recs}).size(), 1u);
  EXPECT_TRUE(failures("count(warning==\"under-trained\")>=2", {recs}).empty());
  EXPECT_TRUE(failures("count(warning==\"over-trained\")>0", {recs}).empty());
  EXPECT_EQ(failures("count(warning==\"none\")==3", {recs}).size(), 1u);  // a skipped row has no warning
  EXPECT_EQ(failures("count(status==\"skipped\")==1", {recs}).size(), 1u);
  EXPECT_EQ(failures("count(status==\"success\")==4", {recs}).size(), 1u);
  // A flag column: count(flag) counts the rows where it is true.
  AnalyzeOptions o;
  o.randomize = true;
  auto trapped = with_alpha("t", 3, 0.1);
  trapped.randomized = LayerRecord::Randomized{};
  trapped.randomized->max_rand_eval = 100;  // far beyond the permuted bulk edge (0)
  trapped.scale->lambda_max = 1;
  EXPECT_EQ(failures("count(correlation_trap)>0", {{trapped, with_alpha("u", 3, 0.1)}}, o).size(),
            trapped.correlation_trap().value_or(false) ? 1u : 0u);
}

TEST(FailOn, DeltaRulesCompareTheLastInputWithTheFirst) {
  const std::vector<LayerRecord> first = {with_alpha("a", 3, 0.1), with_alpha("b", 4, 0.1)};   // mean 3.5
  const std::vector<LayerRecord> middle = {with_alpha("a", 9, 0.1)};
  const std::vector<LayerRecord> last = {with_alpha("a", 4, 0.1), with_alpha("b", 4.2, 0.1)};  // mean 4.1
  const auto hit = failures("delta(mean(alpha))>0.5", {first, middle, last});
  ASSERT_EQ(hit.size(), 1u);
  EXPECT_NE(hit[0].find("m2 vs m0"), std::string::npos) << hit[0];
  EXPECT_TRUE(failures("delta(mean(alpha))>0.7", {first, middle, last}).empty());
  EXPECT_EQ(failures("delta(max(alpha))<0", {first, last}).size(), 0u);  // 4.2 - 4
  EXPECT_EQ(failures("delta(max(alpha))>0.19", {first, last}).size(), 1u);
  // delta() needs two inputs; an unknown function or column is a usage error.
  const auto cols = analyze_columns(AnalyzeOptions{}, false);
  EXPECT_THROW(parse_fail_rules("delta(mean(alpha))>0.5", cols, 1), UsageError);
  EXPECT_THROW(parse_fail_rules("delta(alpha)>0.5", cols, 2), UsageError);
  EXPECT_THROW(parse_fail_rules("median(alpha)>1", cols), UsageError);
  EXPECT_THROW(parse_fail_rules("mean(nosuch)>1", cols), UsageError);
  EXPECT_THROW(parse_fail_rules("mean(warning)>1", cols), UsageError);
  EXPECT_THROW(parse_fail_rules("count(correlation_trap)>0", cols), UsageError);  // needs --randomize
  EXPECT_THROW(parse_fail_rules("mean(alpha==\"x\")>0", cols), UsageError);
  EXPECT_NO_THROW(parse_fail_rules("count(warning==\"under-trained\")>=3", cols));
}
