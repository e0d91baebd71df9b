// PyTorch and NumPy-archive readers against the tensors the writing libraries produced
// (tests/data/formats: manifest.json names, per file, each tensor and its expected .npy),
// bit for bit; the same analysis from every format; and hostile pickles.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "format_checks.hpp"
#include "io/pickle.hpp"
#include "setol/analyze.hpp"
#include "setol/error.hpp"
#include "setol/model_reader.hpp"

using namespace setol;

namespace {

const std::string kDir = std::string(SETOL_TEST_DATA) + "/formats/gnubg-nets-1.07/";

nlohmann::json manifest() {
  std::ifstream in(kDir + "manifest.json");
  return nlohmann::json::parse(in);
}

const TensorInfo* find(const ModelReader& m, const std::string& name, std::size_t& index) {
  const auto& ts = m.tensors();
  for (index = 0; index < ts.size(); ++index)
    if (ts[index].name == name) return &ts[index];
  return nullptr;
}

}  // namespace

TEST(TorchFormats, EveryTensorOfEveryFileIsBitExact) {
  const auto m = manifest();
  int files = 0, tensors = 0;
  for (const auto& [file, spec] : m["files"].items()) {
    SCOPED_TRACE(file);
    auto model = open_model(kDir + file);
    std::size_t listed = 0;
    for (const auto& [key, t] : spec["tensors"].items()) {
      const std::string name = key.substr(key.rfind('/') + 1);  // "state_dict/model.x" -> "model.x"
      std::size_t i;
      ASSERT_NE(find(*model, name, i), nullptr) << name;
      ++listed;
      EXPECT_EQ(model->tensors()[i].shape, open_model(kDir + t["expected"].get<std::string>())->tensors()[0].shape);
      format_checks::expect_bit_exact(*model, i, kDir + t["expected"].get<std::string>());
      ++tensors;
    }
    // Nothing but the listed weights (no optimizer state) is reported.
    EXPECT_EQ(model->tensors().size(), listed);
    ++files;
  }
  EXPECT_EQ(files, 11);
  EXPECT_GT(tensors, 100);
}

TEST(TorchFormats, ViewsKeepTheirStrides) {
  auto m = open_model(kDir + "views.bin");
  std::size_t i;
  const TensorInfo* t = find(*m, "views.transposed", i);
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->strides.size(), 2u);
  EXPECT_EQ(t->strides[0], 1);  // a transposed view: stride (1, n)
}

TEST(TorchFormats, SameAnalysisFromEveryLosslessFormat) {
  const auto reference = format_checks::analyze(std::string(SETOL_TEST_DATA) + "/corpus/gnubg-nets-1.07/model.safetensors");
  for (const char* f : {"pytorch_model.bin", "model_legacy.pt", "lightning.ckpt", "sharded-bin",
                        "sharded-bin/pytorch_model.bin.index.json", "weights.npz", "weights_compressed.npz"}) {
    auto rows = format_checks::analyze(kDir + f);
    for (auto& r : rows)
      if (r.name.rfind("model.", 0) == 0) r.name.erase(0, 6);  // Lightning's attribute prefix
    format_checks::expect_same_rows(rows, reference, f);
  }
}

TEST(TorchFormats, LossyFilesGiveTheRowsOfTheirDecodedTensors) {
  // expected/bf16 and expected/fp16 hold the exact float32 upcasts, one .npy per tensor.
  for (const char* kind : {"bf16", "fp16"}) {
    format_checks::expect_same_rows(format_checks::analyze(kDir + "pytorch_model." + kind + ".bin"),
                                    format_checks::analyze(kDir + "expected/" + kind), kind);
  }
}

TEST(TorchFormats, HostilePicklesAreRefusedByName) {
  fixtures::TempDir dir;
  const std::string marker = (dir / "pwned").string();
  // PROTO 2, GLOBAL posix system, the argument, REDUCE, STOP: os.system(...) as pickled on Linux.
  auto evil = [&](const std::string& module, const std::string& name) {
    std::string p = "\x80\x02" "c" + module + "\n" + name + "\nX";
    const std::string arg = "touch " + marker;
    const auto n = static_cast<std::uint32_t>(arg.size());
    p += std::string(reinterpret_cast<const char*>(&n), 4) + arg + "\x85R.";
    return p;
  };
  for (const auto& [module, name] : {std::pair{"posix", "system"}, {"__builtin__", "exec"}, {"builtins", "eval"},
                                     {"torch.nn.modules.linear", "Linear"}}) {
    const auto file = dir / (std::string(module) + ".pt");
    fixtures::write_bytes(file, evil(module, name));
    try {
      open_model(file);
      ADD_FAILURE() << "accepted " << module << "." << name;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string(module) + "." + name), std::string::npos) << e.what();
    }
  }
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(TorchFormats, MalformedPicklesFailCleanly) {
  const std::string path = "x.pkl";
  auto load = [&](const std::string& s) {
    return io::pickle::load(reinterpret_cast<const std::byte*>(s.data()), s.size(), path);
  };
  EXPECT_THROW(load(""), InputError);                        // no STOP
  EXPECT_THROW(load("\x80\x02"), InputError);                // truncated
  EXPECT_THROW(load("\x80\x02h\x05."), InputError);          // memo key never set
  EXPECT_THROW(load("\x80\x02" "a."), InputError);           // APPEND on an empty stack
  EXPECT_THROW(load("\x80\x02X\xff\xff\xff\x7f"), InputError);  // string longer than the data
  EXPECT_THROW(load("\x80\x02\xff."), InputError);           // unknown opcode
  EXPECT_THROW(load(std::string(2000000, '(')), InputError);  // MARK flood: ends without STOP
  using namespace std::string_literals;
  // Cycles (found by fuzzing: reference-counted values that contain themselves are never freed).
  EXPECT_THROW(load("\x80\x02}q\x00K\x01h\x00s."s), InputError);          // d = {}; d[1] = d
  EXPECT_THROW(load("\x80\x02]q\x00h\x00\x85" "0K\x01" "a."s), InputError);  // l = []; (l,); l.append(1)
  // Nesting: 1000 lists deep is read, 1001 is refused (a 400000-deep list crashed freeing it).
  auto nested = [](int depth) { return "\x80\x02"s + std::string(depth, ']') + std::string(depth - 1, 'a') + "."; };
  EXPECT_EQ(load(nested(1001)).value->depth, 1000);
  EXPECT_THROW(load(nested(1002)), InputError);
  EXPECT_THROW(load(nested(400000)), InputError);
  const auto ok = load("\x80\x02}q\x00(X\x01\x00\x00\x00"s + "aK\x07u.");  // {'a': 7}
  ASSERT_EQ(ok.value->kind, io::pickle::Value::Kind::Dict);
  ASSERT_EQ(ok.value->dict.size(), 1u);
  EXPECT_EQ(ok.value->dict[0].second->i, 7);
}

// Dicts shared through the memo: 8 levels, each naming the level below 1000 times. Searched
// without remembering what it has seen, finding the state dict would take 1000^8 steps.
TEST(TorchFormats, SharedDictsAreSearchedOnce) {
  using namespace std::string_literals;
  std::string root = "\x80\x02}q\x00"s;  // level 0: {} memoized as 0
  for (int level = 1; level <= 8; ++level) {
    root += "}(";
    for (int j = 0; j < 1000; ++j) {
      const std::string key = "k" + std::to_string(j);
      root += "\x8c"s + static_cast<char>(key.size()) + key + "h" + static_cast<char>(level - 1);
    }
    root += "uq"s + static_cast<char>(level);
  }
  root += ".";
  // The legacy format: magic number, protocol version 1001, system info, the root, storage keys.
  const std::string magic = "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19."s;
  const std::string file_bytes = magic + "\x80\x02M\xe9\x03."s + "\x80\x02}." + root + "\x80\x02].";
  fixtures::TempDir dir;
  const auto file = dir / "shared.pt";
  fixtures::write_bytes(file, file_bytes);
  try {
    open_model(file);
    ADD_FAILURE() << "a checkpoint without tensors was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no state dict"), std::string::npos) << e.what();
  }
}

TEST(TorchFormats, TruncatedAndDamagedFilesAreInputErrors) {
  fixtures::TempDir dir;
  for (const char* f : {"pytorch_model.bin", "model_legacy.pt", "weights_compressed.npz"}) {
    std::ifstream in(kDir + f, std::ios::binary);
    std::vector<char> all((std::istreambuf_iterator<char>(in)), {});
    for (std::size_t cut : {all.size() / 2, all.size() - 10, std::size_t{200}}) {
      const auto file = dir / (std::string("cut_") + std::to_string(cut) + "_" + f);
      fixtures::write_bytes(file, std::string(all.data(), cut));
      EXPECT_THROW(
          {
            auto m = open_model(file);
            for (std::size_t i = 0; i < m->tensors().size(); ++i) to_f64(m->load(i));
          },
          InputError)
          << f << " cut at " << cut;
    }
  }
}

TEST(TorchFormats, FoldersPreferHuggingFaceNamesAndRefuseMixedWeights) {
  fixtures::TempDir dir;
  auto copy = [&](const std::string& from, const std::string& to) {
    std::filesystem::copy_file(kDir + from, dir / to);
  };
  copy("weights.npz", "weights.npz");
  copy("model_legacy.pt", "model_legacy.pt");
  try {
    open_model(dir.path());
    ADD_FAILURE() << "a folder of unrelated weight files was accepted";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("weights.npz"), std::string::npos) << msg;
    EXPECT_NE(msg.find("model_legacy.pt"), std::string::npos) << msg;
  }
  EXPECT_EQ(open_model(dir.path(), "npz")->format(), "npz");  // --input-format chooses
  copy("pytorch_model.bin", "pytorch_model.bin");            // Hugging Face's name wins
  EXPECT_EQ(open_model(dir.path())->format(), "pytorch");
}
