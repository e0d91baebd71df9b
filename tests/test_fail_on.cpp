// --fail-on rules: parsing, usage errors, and which layers they catch.
#include <gtest/gtest.h>

#include <cmath>

#include "cli/fail_on.hpp"
#include "setol/analyze.hpp"
#include "setol/error.hpp"

using namespace setol;
using setol::cli::failing_layers;
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

TEST(FailOn, CatchesTheLayersThatBreakARule) {
  const auto cols = analyze_columns(AnalyzeOptions{}, false);
  std::vector<LayerRecord> recs = {with_alpha("ok", 3, 0.05), with_alpha("big", 7, 0.05), with_alpha("edge", 6, 0.3),
                                   with_alpha("nan", std::nan(""), 0.05),
                                   with_alpha("skipped", 0, 0, LayerStatus::Skipped)};
  const auto hit = failing_layers(parse_fail_rules("alpha>6", cols), recs, cols);
  ASSERT_EQ(hit.size(), 1u);
  EXPECT_EQ(hit[0].rfind("big (", 0), 0u);
  EXPECT_EQ(failing_layers(parse_fail_rules("alpha>=6", cols), recs, cols).size(), 2u);
  EXPECT_EQ(failing_layers(parse_fail_rules("alpha<100", cols), recs, cols).size(), 3u);  // NaN and skipped never match
  EXPECT_EQ(failing_layers(parse_fail_rules("alpha>6,D>0.2", cols), recs, cols).size(), 2u);
  EXPECT_TRUE(failing_layers(parse_fail_rules("alpha>10", cols), recs, cols).empty());
}
