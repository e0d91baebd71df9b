// Writes the benchmark's synthetic inputs (so nothing large is committed):
//   setol_bench_inputs layer ROWS COLS OUT.npy [SEED]      float32 N(0, 0.02^2) layer, like WeightWatcher's timing runs
//   setol_bench_inputs llm OUT.safetensors [BLOCKS] [D] [F]  LLM-shaped bf16 checkpoint: per block q,k,v,o (D x D)
//                                                            and gate, up (F x D), down (D x F); defaults 8, 2048, 5632
//   setol_bench_inputs llm-torch OUT.bin ...                  the same weights as a torch.save zip (bf16 storages)
//   setol_bench_inputs llm-gguf OUT.gguf ...                  the same weights as GGUF, matrices in Q8_0
#include <minizip/zip.h>

#include <algorithm>
#include <cmath>
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

struct LlmTensor {
  std::string name;
  long rows, cols;  // cols 0: a 1-D norm weight
  std::int64_t numel() const { return static_cast<std::int64_t>(rows) * (cols ? cols : 1); }
};

std::vector<LlmTensor> llm_tensors(int blocks, long d, long f) {
  std::vector<LlmTensor> ts;
  for (int b = 0; b < blocks; ++b) {
    const std::string p = "model.layers." + std::to_string(b) + ".";
    for (const char* n : {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj"})
      ts.push_back({p + n + ".weight", d, d});
    ts.push_back({p + "mlp.gate_proj.weight", f, d});
    ts.push_back({p + "mlp.up_proj.weight", f, d});
    ts.push_back({p + "mlp.down_proj.weight", d, f});
    ts.push_back({p + "input_layernorm.weight", d, 0});
  }
  return ts;
}

// The bf16 values of tensor k (the same in every format: seeded by position).
std::vector<std::uint16_t> llm_bf16(const LlmTensor& t, std::uint64_t seed) {
  std::vector<float> w(static_cast<std::size_t>(t.numel()));
  fill_normal(w, seed, 0.02f);
  std::vector<std::uint16_t> b(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    std::uint32_t u;
    std::memcpy(&u, &w[i], 4);
    b[i] = static_cast<std::uint16_t>((u + 0x7fff + ((u >> 16) & 1)) >> 16);  // round to nearest even
  }
  return b;
}

float bf16_to_float(std::uint16_t b) {
  const std::uint32_t u = static_cast<std::uint32_t>(b) << 16;
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}

std::string shape_json(const LlmTensor& t) {
  return "[" + std::to_string(t.rows) + (t.cols ? "," + std::to_string(t.cols) : "") + "]";
}

int write_llm(const std::string& path, int blocks, long d, long f) {
  const auto ts = llm_tensors(blocks, d, f);
  std::string header = "{\"__metadata__\":{\"format\":\"pt\"}";
  std::uint64_t off = 0;
  for (const auto& t : ts) {
    const std::uint64_t n = static_cast<std::uint64_t>(t.numel()) * 2;
    header += ",\"" + t.name + "\":{\"dtype\":\"BF16\",\"shape\":" + shape_json(t) + ",\"data_offsets\":[" +
              std::to_string(off) + "," + std::to_string(off + n) + "]}";
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
    const auto b = llm_bf16(t, seed++);
    o.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size() * 2));
  }
  return o ? 0 : 1;
}

// Pickle pieces (protocol 2) for a torch.save state dict.
std::string pk_str(const std::string& s) {
  const auto n = static_cast<std::uint32_t>(s.size());
  return "X" + std::string(reinterpret_cast<const char*>(&n), 4) + s;
}
std::string pk_int(std::int64_t v) {
  const auto n = static_cast<std::int32_t>(v);
  return "J" + std::string(reinterpret_cast<const char*>(&n), 4);
}

// The same weights as torch.save writes them (zip format, bf16 storages, stored entries).
int write_llm_torch(const std::string& path, int blocks, long d, long f) {
  const auto ts = llm_tensors(blocks, d, f);
  std::string pkl = "\x80\x02" "ccollections\nOrderedDict\n)R(";
  for (std::size_t k = 0; k < ts.size(); ++k) {
    const auto& t = ts[k];
    const std::string size = t.cols ? "(" + pk_int(t.rows) + pk_int(t.cols) + "t" : "(" + pk_int(t.rows) + "t";
    const std::string stride = t.cols ? "(" + pk_int(t.cols) + pk_int(1) + "t" : "(" + pk_int(1) + "t";
    pkl += pk_str(t.name) + "ctorch._utils\n_rebuild_tensor_v2\n(" + "(" + pk_str("storage") +
           "ctorch\nBFloat16Storage\n" + pk_str(std::to_string(k)) + pk_str("cpu") + pk_int(t.numel()) + "tQ" +
           pk_int(0) + size + stride + "\x89" + "ccollections\nOrderedDict\n)R" + "tR";
  }
  pkl += "u.";
  zipFile z = zipOpen64(path.c_str(), APPEND_STATUS_CREATE);
  if (!z) return 1;
  auto entry = [&](const std::string& name, const void* data, std::size_t n) {
    zip_fileinfo zi{};
    if (zipOpenNewFileInZip64(z, name.c_str(), &zi, nullptr, 0, nullptr, 0, nullptr, 0, 0, 1) != ZIP_OK) return false;
    const bool ok = zipWriteInFileInZip(z, data, static_cast<unsigned>(n)) == ZIP_OK;
    return zipCloseFileInZip(z) == ZIP_OK && ok;
  };
  bool ok = entry("archive/data.pkl", pkl.data(), pkl.size()) && entry("archive/version", "3\n", 2);
  std::uint64_t seed = 1;
  for (std::size_t k = 0; k < ts.size() && ok; ++k) {
    const auto b = llm_bf16(ts[k], seed++);
    ok = entry("archive/data/" + std::to_string(k), b.data(), b.size() * 2);
  }
  return zipClose(z, nullptr) == ZIP_OK && ok ? 0 : 1;
}

// IEEE binary16 of a float, round to nearest even (normal and subnormal range; no overflow here).
std::uint16_t to_half(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, 4);
  const std::uint32_t sign = (u >> 16) & 0x8000u;
  const int e = static_cast<int>((u >> 23) & 0xff) - 127 + 15;
  std::uint32_t m = u & 0x7fffffu;
  if (e <= 0) {  // subnormal half
    if (e < -10) return static_cast<std::uint16_t>(sign);
    m |= 0x800000u;
    const int shift = 14 - e;
    std::uint32_t h = m >> shift;
    const std::uint32_t rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1))) ++h;
    return static_cast<std::uint16_t>(sign | h);
  }
  std::uint32_t h = (static_cast<std::uint32_t>(e) << 10) | (m >> 13);
  const std::uint32_t rem = m & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) ++h;
  return static_cast<std::uint16_t>(sign | h);
}

// The same weights as a GGUF v3 file, matrices in Q8_0 (as ggml's quantize_row_q8_0: d = amax/127,
// q = round(x/d)), norm weights in F32.
int write_llm_gguf(const std::string& path, int blocks, long d, long f) {
  const auto ts = llm_tensors(blocks, d, f);
  std::string h = "GGUF";
  auto u32 = [&](std::uint32_t v) { h.append(reinterpret_cast<const char*>(&v), 4); };
  auto u64 = [&](std::uint64_t v) { h.append(reinterpret_cast<const char*>(&v), 8); };
  auto str = [&](const std::string& s) { u64(s.size()), h += s; };
  u32(3), u64(ts.size()), u64(1);
  str("general.architecture"), u32(8), str("setol-bench");
  std::uint64_t off = 0;
  std::vector<std::uint64_t> sizes;
  for (const auto& t : ts) {
    str(t.name);
    const bool q = t.cols != 0;
    u32(q ? 2 : 1);
    if (q) u64(static_cast<std::uint64_t>(t.cols)), u64(static_cast<std::uint64_t>(t.rows));
    else u64(static_cast<std::uint64_t>(t.rows));
    u32(q ? 8 : 0);
    u64(off);
    const std::uint64_t n = q ? static_cast<std::uint64_t>(t.numel()) / 32 * 34 : static_cast<std::uint64_t>(t.numel()) * 4;
    sizes.push_back(n);
    off += (n + 31) / 32 * 32;
  }
  h.append((32 - h.size() % 32) % 32, '\0');
  std::ofstream o(path, std::ios::binary);
  o.write(h.data(), static_cast<std::streamsize>(h.size()));
  std::uint64_t seed = 1;
  for (std::size_t k = 0; k < ts.size(); ++k) {
    const auto b = llm_bf16(ts[k], seed++);
    std::string data;
    if (ts[k].cols) {
      for (std::size_t i = 0; i < b.size(); i += 32) {
        float amax = 0;
        for (std::size_t j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(bf16_to_float(b[i + j])));
        const float dd = amax / 127.0f, id = dd != 0 ? 1.0f / dd : 0.0f;
        const std::uint16_t hd = to_half(dd);
        data.append(reinterpret_cast<const char*>(&hd), 2);
        for (std::size_t j = 0; j < 32; ++j) data += static_cast<char>(static_cast<std::int8_t>(std::lround(bf16_to_float(b[i + j]) * id)));
      }
    } else {
      for (auto x : b) {
        const float v = bf16_to_float(x);
        data.append(reinterpret_cast<const char*>(&v), 4);
      }
    }
    data.append((32 - data.size() % 32) % 32, '\0');
    o.write(data.data(), static_cast<std::streamsize>(data.size()));
  }
  return o ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 5 && std::string(argv[1]) == "layer")
    return write_npy(argv[4], std::stol(argv[2]), std::stol(argv[3]), argc > 5 ? std::stoull(argv[5]) : 4096);
  using Writer = int (*)(const std::string&, int, long, long);
  for (const auto& [cmd, writer] : {std::pair<const char*, Writer>{"llm", write_llm}, {"llm-torch", write_llm_torch},
                                    {"llm-gguf", write_llm_gguf}})
    if (argc >= 3 && std::string(argv[1]) == cmd)
      return writer(argv[2], argc > 3 ? std::stoi(argv[3]) : 8, argc > 4 ? std::stol(argv[4]) : 2048,
                    argc > 5 ? std::stol(argv[5]) : 5632);
  std::fprintf(stderr,
               "usage: setol_bench_inputs layer ROWS COLS OUT.npy [SEED] | llm|llm-torch|llm-gguf OUT [BLOCKS] [D] [F]\n");
  return 2;
}
