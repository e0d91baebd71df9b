#include "io/mapped_file.hpp"
#include "io/npy_format.hpp"
#include "io/readers.hpp"

namespace setol::io {
namespace {

class NpyReader final : public ModelReader {
 public:
  NpyReader(const std::vector<std::filesystem::path>& files, bool is_dir) : is_dir_(is_dir) {
    for (const auto& f : files) {
      // Map just to validate the header against the file size; the mapping is reopened on load.
      auto m = MappedFile::open(f.string());
      NpyHeader h = parse_npy(m->data(), m->size(), f.string());
      h.info.name = f.stem().string();
      infos_.push_back(std::move(h.info));
    }
  }
  std::string format() const override { return is_dir_ ? "npy-dir" : "npy"; }
  const std::vector<TensorInfo>& tensors() const override { return infos_; }
  TensorData load(std::size_t i) const override {
    auto m = MappedFile::open(infos_.at(i).source);
    // Re-check: the file may have changed since it was listed.
    NpyHeader h = parse_npy(m->data(), m->size(), infos_[i].source);
    TensorInfo info = infos_[i];
    info.shape = h.info.shape;
    const std::byte* p = m->data() + h.data_offset;
    return TensorData(std::move(info), p, m, true);
  }

 private:
  bool is_dir_;
  std::vector<TensorInfo> infos_;
};

}  // namespace

std::unique_ptr<ModelReader> open_npy_files(const std::vector<std::filesystem::path>& files, bool is_dir) {
  return std::make_unique<NpyReader>(files, is_dir);
}

}  // namespace setol::io
