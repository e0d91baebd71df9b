// LoRA / PEFT adapters: a checkpoint whose tensors come in pairs `<module>.lora_A.weight`
// (r x in) and `<module>.lora_B.weight` (out x r) is analyzed through its products
// dW = scale * B * A, as WeightWatcher's peft option does (WWPeftLayerIterator).
#pragma once
#include <filesystem>
#include <memory>

#include "setol/model_reader.hpp"

namespace setol {

// If `adapter` holds LoRA pairs, a view of it in which each lora_A tensor is replaced by the
// product `...lora_BA...` (rank r: its ESD has r eigenvalues, computed from the factors) and,
// when `base` is given, each lora_B tensor by `...lora_W_plus_AB...` = W + dW with W the base
// model's weight of that module. The scale is lora_alpha / r (lora_alpha / sqrt(r) with
// use_rslora) from the adapter_config.json beside the adapter (`input` is the file or folder
// given), else 1; both are in metadata(). Without pairs: `adapter` itself (throws InputError if
// `base` was given, which would then be meaningless).
std::unique_ptr<ModelReader> with_lora_products(std::unique_ptr<ModelReader> adapter, const std::filesystem::path& input,
                                                std::shared_ptr<const ModelReader> base = nullptr);

}  // namespace setol
