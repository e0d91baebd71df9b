// NumPy .npz (np.savez, np.savez_compressed): a ZIP of <name>.npy members, stored or deflated.
// Each member is parsed as a .npy file; names are the member names without ".npy", in natural
// order (numpy keeps keyword order, but the ZIP does not promise it).
#include <algorithm>

#include "io/npy_format.hpp"
#include "io/readers.hpp"
#include "io/zip_archive.hpp"
#include "setol/error.hpp"

namespace setol::io {
namespace {

class NpzReader final : public ModelReader {
 public:
  explicit NpzReader(const std::filesystem::path& path) : zip_(std::make_shared<ZipArchive>(path)) {
    for (const auto& e : zip_->entries()) {
      if (e.name.size() <= 4 || e.name.compare(e.name.size() - 4, 4, ".npy") != 0)
        throw InputError(zip_->path(), "member '" + e.name + "' is not a .npy array");
      entries_.push_back(&e);
    }
    std::sort(entries_.begin(), entries_.end(),
              [](const ZipEntry* a, const ZipEntry* b) { return natural_less(a->name, b->name); });
    for (const ZipEntry* e : entries_) {
      // Stored members are parsed in place; deflated ones are inflated once to read their header.
      const ZipBytes b = zip_->read(*e);
      NpyHeader h = parse_npy(b.data, b.size, zip_->path() + ":" + e->name);
      h.info.name = e->name.substr(0, e->name.size() - 4);
      h.info.source = zip_->path();
      infos_.push_back(std::move(h.info));
    }
  }
  std::string format() const override { return "npz"; }
  const std::vector<TensorInfo>& tensors() const override { return infos_; }
  TensorData load(std::size_t i) const override {
    const ZipBytes b = zip_->read(*entries_.at(i));
    const NpyHeader h = parse_npy(b.data, b.size, zip_->path() + ":" + entries_[i]->name);
    return TensorData(infos_[i], b.data + h.data_offset, b.keepalive, b.mapped);
  }

 private:
  std::shared_ptr<ZipArchive> zip_;
  std::vector<const ZipEntry*> entries_;
  std::vector<TensorInfo> infos_;
};

}  // namespace

std::unique_ptr<ModelReader> open_npz(const std::filesystem::path& path) { return std::make_unique<NpzReader>(path); }

}  // namespace setol::io
