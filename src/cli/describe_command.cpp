// describe: every tensor with its shape, dtype and what the analysis would do with it.
// Reads only headers, never tensor data, so it is fast on multi-GB checkpoints.
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "setol/lora.hpp"
#include "setol/report.hpp"

namespace setol::cli {

int run_describe(const DescribeArgs& a) {
  auto model = with_lora_products(open_model(a.path, a.in.format), a.path);
  const auto rows = describe_tensors(*model, a.options);
  Output out(a.out);
  InputInfo in{.path = a.path, .format = model->format(), .tensors = model->tensors().size(),
               .metadata = model->metadata()};
  const RunInfo run{"describe", {in}, nlohmann::ordered_json::object()};
  out.writer().describe(out.stream(), {run, rows});
  out.commit();
  return 0;
}

}  // namespace setol::cli
