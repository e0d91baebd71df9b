// Writes the benchmark's synthetic inputs (so nothing large is committed):
//   setol_bench_inputs layer ROWS COLS OUT.npy [SEED]      float32 N(0, 0.02^2) layer, like WeightWatcher's timing runs
//   setol_bench_inputs llm OUT.safetensors [BLOCKS] [D] [F]  LLM-shaped bf16 checkpoint: per block q,k,v,o (D x D)
//                                                            and gate, up (F x D), down (D x F); defaults 8, 2048, 5632
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {

void fill_normal(std::vector<float>& v, std::uint64_t seed, float sd) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.0f, sd);
  for (auto& x : v) x = g(rng);
}

int write_npy(const std::string& path, long rows, long cols, std::uint64_t seed) {
  std::vector<float> w(static_cast<std::size_t>(rows * cols));
  fill_normal(w, seed, 0.02f);
  std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                  std::to_string(cols) + "), }";
  h.append((64 - (10 + h.size() + 1) % 64) % 64, ' ');
  h += '\n';
  std::ofstream o(path, std::ios::binary);
  o.write("\x93NUMPY\x01\x00", 8);
  const char len[2] = {static_cast<char>(h.size() & 0xff), static_cast<char>(h.size() >> 8)};
  o.write(len, 2);
  o.write(h.data(), static_cast<std::streamsize>(h.size()));
  o.write(reinterpret_cast<const char*>(w.data()), static_cast<std::streamsize>(w.size() * 4));
  return o ? 0 : 1;
}

int write_llm(const std::string& path, int blocks, long d, long f) {
  struct T {
    std::string name;
    long rows, cols;
  };
  std::vector<T> ts;
  for (int b = 0; b < blocks; ++b) {
    const std::string p = "model.layers." + std::to_string(b) + ".";
    for (const char* n : {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj"})
      ts.push_back({p + n + ".weight", d, d});
    ts.push_back({p + "mlp.gate_proj.weight", f, d});
    ts.push_back({p + "mlp.up_proj.weight", f, d});
    ts.push_back({p + "mlp.down_proj.weight", d, f});
    ts.push_back({p + "input_layernorm.weight", d, 0});
  }
  std::string header = "{\"__metadata__\":{\"format\":\"pt\"}";
  std::uint64_t off = 0;
  for (const auto& t : ts) {
    const std::uint64_t n = static_cast<std::uint64_t>(t.rows) * static_cast<std::uint64_t>(t.cols ? t.cols : 1) * 2;
    header += ",\"" + t.name + "\":{\"dtype\":\"BF16\",\"shape\":[" + std::to_string(t.rows) +
              (t.cols ? "," + std::to_string(t.cols) : "") + "],\"data_offsets\":[" + std::to_string(off) + "," +
              std::to_string(off + n) + "]}";
    off += n;
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::ofstream o(path, std::ios::binary);
  const std::uint64_t hl = header.size();
  o.write(reinterpret_cast<const char*>(&hl), 8);
  o.write(header.data(), static_cast<std::streamsize>(header.size()));
  std::uint64_t seed = 1;
  for (const auto& t : ts) {
    std::vector<float> w(static_cast<std::size_t>(t.rows * (t.cols ? t.cols : 1)));
    fill_normal(w, seed++, 0.02f);
    std::vector<std::uint16_t> b(w.size());
    for (std::size_t i = 0; i < w.size(); ++i) {
      std::uint32_t u;
      std::memcpy(&u, &w[i], 4);
      b[i] = static_cast<std::uint16_t>((u + 0x7fff + ((u >> 16) & 1)) >> 16);  // round to nearest even
    }
    o.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size() * 2));
  }
  return o ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 5 && std::string(argv[1]) == "layer")
    return write_npy(argv[4], std::stol(argv[2]), std::stol(argv[3]), argc > 5 ? std::stoull(argv[5]) : 4096);
  if (argc >= 3 && std::string(argv[1]) == "llm")
    return write_llm(argv[2], argc > 3 ? std::stoi(argv[3]) : 8, argc > 4 ? std::stol(argv[4]) : 2048,
                     argc > 5 ? std::stol(argv[5]) : 5632);
  std::fprintf(stderr, "usage: setol_bench_inputs layer ROWS COLS OUT.npy [SEED] | llm OUT.safetensors [BLOCKS] [D] [F]\n");
  return 2;
}
