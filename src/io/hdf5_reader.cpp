// HDF5 through the HDF5 C library. Keras weight files (a layer_names attribute on
// /model_weights or on /) are read in the model's own layer order with Keras layer
// names; any other file contributes every floating-point dataset.
#include <hdf5.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <filesystem>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "io/checked_size.hpp"
#include "io/contained_process.hpp"
#include "io/readers.hpp"
#include "io/tensor_list_codec.hpp"
#include "io/zip_archive.hpp"
#include "setol/error.hpp"

namespace setol::io {
namespace {

// Closes an HDF5 handle with the right function when it goes out of scope.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

void silence_hdf5_errors() {
  static const bool done = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

// libhdf5 1.10 can fail to close a damaged file ("Pinned entry count not decreasing") and then
// keeps it open for the rest of the process: a reused child that holds one is retired
// (docs/reliability.md, finding 14). Set only in the contained child.
bool a_close_failed = false;
void close_file(hid_t file) {
  if (file >= 0 && H5Fclose(file) < 0) a_close_failed = true;
}

// libhdf5's error stack in one line: the innermost entry (where the failure began), e.g.
// " (libhdf5: Wrong B-tree signature)". Empty when the stack is empty.
std::string hdf5_error() {
  struct First {
    std::string text;
  } first;
  auto cb = [](unsigned, const H5E_error2_t* e, void* op) -> herr_t {
    auto& f = *static_cast<First*>(op);
    char minor[256] = "";
    H5Eget_msg(e->min_num, nullptr, minor, sizeof minor);
    f.text = std::string(minor) + (e->desc && *e->desc ? std::string(": ") + e->desc : "");
    return 1;  // the first entry walking upward is the innermost
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, cb, &first);
  return first.text.empty() ? "" : " (libhdf5: " + first.text + ")";
}

// Reads a 1-D string attribute (fixed or variable length); empty if absent.
std::vector<std::string> read_string_list_attr(hid_t obj, const char* name) {
  std::vector<std::string> out;
  if (H5Aexists(obj, name) <= 0) return out;
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  if (!attr.ok()) return out;
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  Handle space(H5Aget_space(attr.get()), H5Sclose);
  if (H5Tget_class(type.get()) != H5T_STRING) return out;
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n <= 0) return out;
  if (H5Tis_variable_str(type.get()) > 0) {
    std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
    Handle mt(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mt.get(), H5T_VARIABLE);
    H5Tset_cset(mt.get(), H5Tget_cset(type.get()));  // h5py writes UTF-8; HDF5 will not convert ASCII <-> UTF-8
    if (H5Aread(attr.get(), mt.get(), ptrs.data()) < 0) return out;
    for (char* p : ptrs) {
      out.emplace_back(p ? p : "");
      H5free_memory(p);
    }
  } else {
    const std::size_t len = H5Tget_size(type.get());
    std::vector<char> buf(len * static_cast<std::size_t>(n) + 1, '\0');
    if (H5Aread(attr.get(), type.get(), buf.data()) < 0) return out;
    for (hssize_t i = 0; i < n; ++i) {
      std::string s(buf.data() + static_cast<std::size_t>(i) * len, len);
      s.erase(std::find(s.begin(), s.end(), '\0'), s.end());
      while (!s.empty() && s.back() == ' ') s.pop_back();
      out.push_back(s);
    }
  }
  return out;
}

struct DatasetRef {
  TensorInfo info;
  std::string path;  // absolute path inside the file
};

// Describes one dataset, checking what the header claims against the file.
DatasetRef describe_dataset(hid_t file, const std::string& path, const std::string& file_path,
                            std::uint64_t file_size) {
  Handle d(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d.ok()) throw InputError(file_path, "cannot open dataset " + path + hdf5_error());
  Handle type(H5Dget_type(d.get()), H5Tclose);
  Handle space(H5Dget_space(d.get()), H5Sclose);
  DatasetRef r;
  r.path = path;
  r.info.source = file_path;
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw InputError(file_path, "dataset " + path + ": unreadable dataspace");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  for (auto v : dims) r.info.shape.push_back(static_cast<std::int64_t>(v));
  const std::size_t tsize = H5Tget_size(type.get());
  if (H5Tget_class(type.get()) == H5T_FLOAT) {
    r.info.dtype = tsize == 2 ? DType::F16 : tsize == 4 ? DType::F32 : tsize == 8 ? DType::F64 : DType::Other;
    r.info.dtype_text = "float" + std::to_string(tsize * 8);
    r.info.big_endian = H5Tget_order(type.get()) == H5T_ORDER_BE;
  } else {
    r.info.dtype = DType::Other;
    r.info.dtype_text = H5Tget_class(type.get()) == H5T_INTEGER ? "int" + std::to_string(tsize * 8) : "other";
  }
  // Every layout: the shape's product must not overflow (chunked datasets included).
  const auto need = checked_nbytes(r.info.shape, tsize == 0 ? 1 : tsize);
  if (!need) throw InputError(file_path, "dataset " + path + ": shape overflows");
  // Contiguous and compact storage can be checked against the file without reading it.
  Handle dcpl(H5Dget_create_plist(d.get()), H5Pclose);
  const H5D_layout_t layout = dcpl.ok() ? H5Pget_layout(dcpl.get()) : H5D_LAYOUT_ERROR;
  if (layout != H5D_COMPACT && layout != H5D_CONTIGUOUS) return r;  // chunked: Hdf5File::check_stored
  const hsize_t have = H5Dget_storage_size(d.get());
  // Compact data lives in the dataset's header (64 KB at most) and is exactly the declared size;
  // a damaged header can declare gigabytes over an empty buffer, which libhdf5 would fill with
  // the fill value (docs/reliability.md, finding 13). Only floating-point datasets are ever read.
  if (layout == H5D_COMPACT && r.info.dtype != DType::Other) {
    if (have != *need)
      throw InputError(file_path, "dataset " + path + " declares " + std::to_string(*need) +
                                      " bytes but its compact storage holds " + std::to_string(have) +
                                      " (damaged header)");
  }
  if (layout == H5D_CONTIGUOUS) {
    const haddr_t off = H5Dget_offset(d.get());
    if (*need > 0 && off != HADDR_UNDEF && (have != *need || off + *need > file_size))
      throw InputError(file_path, "dataset " + path + " needs " + std::to_string(*need) + " bytes at offset " +
                                      std::to_string(off) + " but the file has " + std::to_string(file_size) +
                                      " bytes (truncated or corrupt)");
  }
  return r;
}

std::string keras_tensor_name(const std::string& layer, const std::string& weight) {
  // "conv1/kernel:0" -> base "kernel"; the main kernel keeps the Keras layer name.
  std::string base = weight.substr(weight.find_last_of('/') == std::string::npos ? 0 : weight.find_last_of('/') + 1);
  if (auto c = base.find(':'); c != std::string::npos) base.erase(c);
  if (base == "kernel" || base == "depthwise_kernel" || base == "embeddings") return layer;
  return layer + "." + base;
}

// Keras 3 names each layer's group after its class in snake case (keras.src.utils.naming
// to_snake_case), made unique in model order with _1, _2, ...: Conv2D -> conv2d,
// MaxPooling2D -> max_pooling2d.
std::string snake_case(const std::string& s) {
  std::string a;  // (.)([A-Z][a-z]+) -> \1_\2
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && std::isupper(static_cast<unsigned char>(s[i])) && i + 1 < s.size() &&
        std::islower(static_cast<unsigned char>(s[i + 1])))
      a += '_';
    a += s[i];
  }
  std::string b;  // ([a-z])([A-Z]) -> \1_\2, then lower case
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (i > 0 && std::islower(static_cast<unsigned char>(a[i - 1])) && std::isupper(static_cast<unsigned char>(a[i])))
      b += '_';
    b += static_cast<char>(std::tolower(static_cast<unsigned char>(a[i])));
  }
  return b;
}

// An open HDF5 file and its weight datasets. It lives only in the contained child process
// (Hdf5Reader below): libhdf5 runs nowhere else.
class Hdf5File {
 public:
  // A Keras 3 .keras archive: model.weights.h5 opened from memory, layers from config.json.
  Hdf5File(std::string path, const ZipBytes& image, const std::vector<std::pair<std::string, std::string>>& layers)
      : path_(std::move(path)), file_size_(image.size) {
    silence_hdf5_errors();
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    if (!fapl.ok() || H5Pset_fapl_core(fapl.get(), 1 << 20, 0) < 0 ||
        H5Pset_file_image(fapl.get(), const_cast<std::byte*>(image.data), image.size) < 0)
      throw InputError(path_, "cannot read model.weights.h5 from memory");
    file_ = H5Fopen("model.weights.h5", H5F_ACC_RDONLY, fapl.get());
    if (file_ < 0) throw InputError(path_, "model.weights.h5 is not a readable HDF5 file" + hdf5_error());
    try {
      keras_ = true;
      format_ = "keras";
      list_keras3(layers);
    } catch (...) {
      close_file(file_);
      throw;
    }
  }

  explicit Hdf5File(const std::filesystem::path& file) : path_(file.string()) {
    silence_hdf5_errors();
    std::error_code ec;
    file_size_ = std::filesystem::file_size(file, ec);
    if (ec) throw InputError(path_, "cannot open: " + ec.message());
    if (H5Fis_hdf5(path_.c_str()) <= 0) throw InputError(path_, "not an HDF5 file");
    file_ = H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file_ < 0) throw InputError(path_, "cannot open HDF5 file (truncated or corrupt)" + hdf5_error());
    try {
      list();
    } catch (...) {
      close_file(file_);
      throw;
    }
  }
  ~Hdf5File() { close_file(file_); }
  Hdf5File(const Hdf5File&) = delete;
  Hdf5File& operator=(const Hdf5File&) = delete;

  std::string format() const { return !format_.empty() ? format_ : keras_ ? "keras-h5" : "hdf5"; }
  std::vector<ListedTensor> listing() const {
    std::vector<ListedTensor> out;
    for (const auto& r : refs_) out.push_back({r.info, r.path});
    return out;
  }

  // The elements of dataset i in native order: doubles for float64, floats for float16/32.
  std::string read(std::size_t i) const {
    if (i >= refs_.size()) throw InputError(path_, "no dataset " + std::to_string(i));
    const DatasetRef& r = refs_[i];
    if (r.info.dtype == DType::Other) throw InputError(path_, "dataset " + r.path + " is not floating point");
    Handle d(H5Dopen2(file_, r.path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!d.ok()) throw InputError(path_, "cannot open dataset " + r.path + hdf5_error());
    const bool f64 = r.info.dtype == DType::F64;
    const auto bytes = checked_nbytes(r.info.shape, f64 ? 8 : 4);
    if (!bytes) throw InputError(path_, "dataset " + r.path + ": shape overflows");
    check_stored(d.get(), r, *bytes);
    std::string out(static_cast<std::size_t>(*bytes), '\0');
    if (!out.empty() &&
        H5Dread(d.get(), f64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
      throw InputError(path_, "cannot read dataset " + r.path + " (truncated or corrupt)" + hdf5_error());
    return out;
  }

 private:
  // A chunked dataset may store far less than its shape declares: chunks never written read as
  // the fill value. A weight dataset with no chunk stored was never written; one that declares
  // over 1100 times what it stores is beyond what any HDF5 filter compresses (deflate's limit
  // is 1032:1), so a few KB of file cannot make setol fill gigabytes.
  void check_stored(hid_t d, const DatasetRef& r, std::uint64_t bytes) const {
    Handle dcpl(H5Dget_create_plist(d), H5Pclose);
    if (!dcpl.ok() || H5Pget_layout(dcpl.get()) != H5D_CHUNKED || bytes == 0) return;
    const hsize_t stored = H5Dget_storage_size(d);
    if (stored == 0) throw InputError(path_, "dataset " + r.path + " was never written (no chunk stored)");
    // The stored size is summed from the chunk index, which is file content too: a damaged
    // index can claim gigabytes in a file of a few KB (docs/reliability.md, finding 12).
    if (stored > file_size_)
      throw InputError(path_, "dataset " + r.path + " claims " + std::to_string(stored) + " bytes stored in a file of " +
                                  std::to_string(file_size_) + " (damaged chunk index)");
    if (bytes / 1100 > stored)
      throw InputError(path_, "dataset " + r.path + " declares " + std::to_string(bytes) + " bytes but stores only " +
                                  std::to_string(stored) + " (damaged?)");
  }

  void list() {
    const char* root = nullptr;
    if (H5Lexists(file_, "model_weights", H5P_DEFAULT) > 0) {
      Handle g(H5Gopen2(file_, "model_weights", H5P_DEFAULT), H5Gclose);
      if (g.ok() && H5Aexists(g.get(), "layer_names") > 0) root = "/model_weights";
    }
    if (root == nullptr && H5Aexists(file_, "layer_names") > 0) root = "/";
    if (root != nullptr) {
      keras_ = true;
      list_keras(root);
    } else {
      list_generic();
    }
  }

  void list_keras(const char* root) {
    Handle rg(H5Gopen2(file_, root, H5P_DEFAULT), H5Gclose);
    const std::string prefix = std::string(root) + (root[1] == '\0' ? "" : "/");
    for (const auto& layer : read_string_list_attr(rg.get(), "layer_names")) {
      const std::string gpath = prefix + layer;
      if (H5Lexists(file_, gpath.c_str(), H5P_DEFAULT) <= 0)
        throw InputError(path_, "layer_names lists '" + layer + "' but there is no group " + gpath);
      Handle g(H5Gopen2(file_, gpath.c_str(), H5P_DEFAULT), H5Gclose);
      for (const auto& w : read_string_list_attr(g.get(), "weight_names")) {
        DatasetRef r = describe_dataset(file_, gpath + "/" + w, path_, file_size_);
        r.info.name = keras_tensor_name(layer, w);
        r.info.layout = Layout::Keras;
        refs_.push_back(std::move(r));
      }
    }
  }

  void list_keras3(const std::vector<std::pair<std::string, std::string>>& layers) {
    std::map<std::string, int> used;
    for (const auto& [cls, name] : layers) {
      if (cls == "InputLayer") continue;
      const std::string base = snake_case(cls);
      const int k = used[base]++;
      const std::string group = "/layers/" + base + (k ? "_" + std::to_string(k) : "") + "/vars";
      if (H5Lexists(file_, "/layers", H5P_DEFAULT) <= 0 || H5Lexists(file_, group.substr(0, group.size() - 5).c_str(), H5P_DEFAULT) <= 0 ||
          H5Lexists(file_, group.c_str(), H5P_DEFAULT) <= 0)
        throw InputError(path_, "config.json lists layer '" + name + "' (" + cls + ") but model.weights.h5 has no " + group);
      Handle g(H5Gopen2(file_, group.c_str(), H5P_DEFAULT), H5Gclose);
      // Keras >= 3.6 records the user's layer name on the vars group; older files: the config's.
      const auto attr = read_string_list_attr(g.get(), "name");
      const std::string layer = attr.empty() ? name : attr.front();
      for (int i = 0;; ++i) {
        const std::string ds = group + "/" + std::to_string(i);
        if (H5Lexists(file_, ds.c_str(), H5P_DEFAULT) <= 0) break;
        DatasetRef r = describe_dataset(file_, ds, path_, file_size_);
        r.info.name = i == 0 ? layer : layer + "." + std::to_string(i);  // variable 0 is the kernel
        r.info.layout = Layout::Keras;
        refs_.push_back(std::move(r));
      }
    }
  }

  void list_generic() {
    struct Walk {
      std::vector<std::string> paths;
      std::string unreadable;  // an object whose header cannot be read: the file is damaged
    } walk;
    auto cb = [](hid_t g, const char* name, const H5L_info_t* info, void* op) -> herr_t {
      auto& w = *static_cast<Walk*>(op);
      if (info->type != H5L_TYPE_HARD) return 0;
      H5O_info_t oi;
      if (H5Oget_info_by_name(g, name, &oi, H5P_DEFAULT) < 0) {
        w.unreadable = name;
        return 1;  // stops the walk: a damaged object is an error, never silently left out
      }
      if (oi.type == H5O_TYPE_DATASET) w.paths.push_back(std::string("/") + name);
      return 0;
    };
    if (H5Lvisit(file_, H5_INDEX_NAME, H5_ITER_INC, cb, &walk) < 0)
      throw InputError(path_, "cannot walk the HDF5 file (corrupt?)");
    if (!walk.unreadable.empty())
      throw InputError(path_, "object '/" + walk.unreadable + "' cannot be read (damaged HDF5 file?)");
    std::vector<std::string>& paths = walk.paths;
    std::sort(paths.begin(), paths.end(), natural_less);
    for (const auto& p : paths) {
      DatasetRef r = describe_dataset(file_, p, path_, file_size_);
      r.info.name = p.substr(1);
      refs_.push_back(std::move(r));
    }
  }

  std::string path_;
  std::uint64_t file_size_ = 0;  // what any stored size must fit in
  hid_t file_ = -1;
  bool keras_ = false;
  std::string format_;
  std::vector<DatasetRef> refs_;
};

// How long libhdf5 may take to list a file, and the base of each dataset's deadline (which
// adds 10 s per GiB): SETOL_HDF5_TIMEOUT seconds, 120 by default, to the millisecond ("0.25").
// Real files need far less (metadata of a few MB, then plain reads); a damaged one can make
// libhdf5 loop.
std::chrono::milliseconds hdf5_timeout() {
  static const std::chrono::milliseconds value = [] {
    const char* env = std::getenv("SETOL_HDF5_TIMEOUT");
    if (!env) return std::chrono::milliseconds(120'000);
    const std::string_view text(env);
    double seconds = 0;
    const auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), seconds, std::chars_format::fixed);
    if (ec != std::errc() || end != text.data() + text.size() || !(seconds >= 0.001 && seconds <= 9999999))
      throw UsageError("SETOL_HDF5_TIMEOUT must be a number of seconds from 0.001 to 9999999, not '" +
                       one_line(std::string(text), 40) + "'");
    return std::chrono::milliseconds(std::llround(seconds * 1000));
  }();
  return value;
}

using Opener = std::function<std::unique_ptr<Hdf5File>()>;

// Requests to the child: read dataset i ('r' + 8 bytes), and for a reused child (below) close
// the file and count what libhdf5 still holds ('c'), open the file again ('o').
constexpr char kRead = 'r', kClose = 'c', kOpen = 'o';
// kClose's reply when libhdf5 could not close a file: the child must not serve another.
constexpr std::string_view kCloseFailed = "close failed";

// Fuzzing only (reuse_hdf5_children): the child of one file is kept for the next file of the
// same path and kind, as a fuzzer's persistent mode. Forking the sanitized harness cost more
// than libhdf5's work on a small file (docs/reliability.md). A child that crashed, ran out of
// time, answered malformed or could not close a file (finding 14) is replaced, and so is one
// that has served kFilesPerChild files, which bounds what libhdf5's global state can carry
// from file to file. setol never enables it: there each file has a child of its own.
struct ReusedChild {
  std::string key;
  std::shared_ptr<ContainedProcess> proc;
  std::size_t files = 0;
};
constexpr std::size_t kFilesPerChild = 1000;
std::atomic<bool> reuse_children{false};
std::mutex reuse_mutex;
ReusedChild& reused_child() {
  static ReusedChild r;
  return r;
}

// The reader setol sees: the list and the data of an Hdf5File opened in a contained child
// process (io/contained_process.hpp). A crash, hang or runaway allocation of libhdf5 on a
// damaged file ends that child and becomes an InputError naming the file; setol itself never
// calls libhdf5. Measured cost on the corpus: docs/reliability.md.
class Hdf5Reader final : public ModelReader {
 public:
  // open: runs in the child and opens the file there. reopen: opens it again in a reused child,
  // from the path alone (that child has none of the parent's later memory). kind: "hdf5" or
  // "keras", which with the path decides whether a child can be reused.
  Hdf5Reader(std::string path, const std::string& kind, const Opener& open, const Opener& reopen)
      : path_(std::move(path)) {
    std::string listing;
    if (reuse_children) listing = list_in_reused_child(kind + '\n' + path_);
    if (!proc_) {
      auto file = std::make_shared<std::unique_ptr<Hdf5File>>();  // the child's; stays empty here
      proc_ = std::make_shared<ContainedProcess>(
          path_, "libhdf5",
          [file, &open] {
            *file = open();
            return encode_tensor_list((*file)->format(), (*file)->listing());
          },
          [file, reopen](const std::string& request) { return serve(*file, reopen, request); }, kListingMemory,
          "; SETOL_HDF5_TIMEOUT=seconds allows longer");
      if (reuse_children) {
        const std::lock_guard<std::mutex> lock(reuse_mutex);
        reused_child() = {kind + '\n' + path_, proc_, 1};
      }
      listing = proc_->start_reply(kMaxListing, hdf5_timeout());
    }
    auto [format, listed] = decode_tensor_list(listing, path_);
    format_ = std::move(format);
    for (auto& t : listed) {
      infos_.push_back(t.info);
      locators_.push_back(std::move(t.locator));
    }
  }

  std::string format() const override { return format_; }
  const std::vector<TensorInfo>& tensors() const override { return infos_; }

  TensorData load(std::size_t i) const override {
    TensorInfo info = infos_.at(i);
    const std::string what = "dataset " + locators_[i];
    if (info.dtype == DType::Other) throw InputError(path_, what + " is not floating point");
    info.big_endian = false;  // HDF5 converts to native order on read
    const bool f64 = info.dtype == DType::F64;
    if (!f64) info.dtype = DType::F32;  // float16 datasets are widened to float32 by HDF5
    const auto bytes = checked_nbytes(info.shape, f64 ? 8 : 4);
    if (!bytes || *bytes > SIZE_MAX / 2) throw InputError(path_, what + ": shape overflows");
    const std::uint64_t request_index = i;
    const std::string request = kRead + std::string(reinterpret_cast<const char*>(&request_index), 8);
    const auto timeout = hdf5_timeout() + std::chrono::seconds(10 * (*bytes >> 30));
    const auto n = static_cast<std::size_t>(info.numel());
    if (f64) return receive<double>(std::move(info), n, request, *bytes, what, timeout);
    return receive<float>(std::move(info), n, request, *bytes, what, timeout);
  }

 private:
  // The buffer is allocated only once the child has read the dataset and answered.
  template <class T>
  TensorData receive(TensorInfo info, std::size_t n, const std::string& request, std::size_t bytes,
                     const std::string& what, std::chrono::milliseconds timeout) const {
    std::shared_ptr<std::vector<T>> buf;
    proc_->call(
        request, bytes,
        [&] {
          buf = std::make_shared<std::vector<T>>(n);
          return reinterpret_cast<std::byte*>(buf->data());
        },
        what, timeout);
    const auto* p = reinterpret_cast<const std::byte*>(buf->data());
    return TensorData(std::move(info), p, std::move(buf));
  }

  // The child's side: one request about the open file.
  static std::string serve(std::unique_ptr<Hdf5File>& file, const Opener& reopen, const std::string& request) {
    if (request.size() == 9 && request[0] == kRead && file) {
      std::uint64_t i = 0;
      std::memcpy(&i, request.data() + 1, 8);
      return file->read(static_cast<std::size_t>(i));
    }
    if (request.size() == 1 && request[0] == kClose) {
      file.reset();
      if (a_close_failed) return std::string(kCloseFailed);
      return std::to_string(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL));
    }
    if (request.size() == 1 && request[0] == kOpen) {
      file.reset();
      file = reopen();
      return encode_tensor_list(file->format(), file->listing());
    }
    throw std::invalid_argument("bad request");
  }

  // The listing from the reused child, if there is a live one for `key` (else proc_ stays
  // empty). The previous file is closed first: a file libhdf5 still held would be shared with
  // this one, stale, as the harness rewrites the same path in place.
  std::string list_in_reused_child(const std::string& key) {
    const std::lock_guard<std::mutex> lock(reuse_mutex);
    ReusedChild& r = reused_child();
    if (!r.proc || r.key != key || r.files >= kFilesPerChild || !r.proc->alive()) return {};
    std::string held;
    try {
      held = r.proc->ask(std::string(1, kClose), 32, "closing the previous file", hdf5_timeout());
    } catch (const InputError&) {  // the previous file's damage ended the child: a new one
      return {};
    }
    if (held == kCloseFailed) {  // libhdf5 kept a damaged file it could not close: a new child
      r = {};                      // ends this one now, before its successor is forked
      return {};
    }
    // Every handle the reader opens is closed with its object (Handle); one left over is ours.
    if (held != "0") throw std::logic_error("libhdf5 still holds " + held + " objects after closing " + path_);
    ++r.files;
    proc_ = r.proc;
    return proc_->ask(std::string(1, kOpen), kMaxListing, "the list of tensors", hdf5_timeout());
  }

  static constexpr std::size_t kMaxListing = std::size_t{1} << 28;
  // The child's address space beyond its start while listing (a dataset read adds twice its size).
  static constexpr std::size_t kListingMemory = std::size_t{1} << 30;
  std::string path_, format_;
  std::vector<TensorInfo> infos_;
  std::vector<std::string> locators_;
  std::shared_ptr<ContainedProcess> proc_;
};

// What a .keras archive gives the reader: the bytes of model.weights.h5, and the layers of
// config.json (class name, layer name) in model order.
struct KerasParts {
  ZipBytes image;
  std::vector<std::pair<std::string, std::string>> layers;
};

KerasParts read_keras_parts(const std::filesystem::path& file) {
  const ZipArchive zip(file);
  const ZipEntry* weights = zip.find("model.weights.h5");
  const ZipEntry* config = zip.find("config.json");
  if (!weights || !config) throw InputError(file.string(), "a .keras archive needs model.weights.h5 and config.json");
  const ZipBytes cfg = zip.read(*config, 1u << 28);
  KerasParts parts;
  try {
    const auto j = nlohmann::json::parse(reinterpret_cast<const char*>(cfg.data), reinterpret_cast<const char*>(cfg.data) + cfg.size,
                                         nullptr, true, false);
    for (const auto& l : j.at("config").at("layers"))
      parts.layers.emplace_back(l.at("class_name").get<std::string>(), l.at("config").at("name").get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw InputError(file.string(), std::string("config.json has no readable layer list: ") + e.what());
  }
  parts.image = zip.read(*weights);
  return parts;
}

}  // namespace

void reuse_hdf5_children(bool on) { reuse_children = on; }

std::unique_ptr<ModelReader> open_hdf5(const std::filesystem::path& file) {
  const Opener open = [path = file.string()] { return std::make_unique<Hdf5File>(std::filesystem::path(path)); };
  return std::make_unique<Hdf5Reader>(file.string(), "hdf5", open, open);
}

std::unique_ptr<ModelReader> open_keras(const std::filesystem::path& file) {
  const KerasParts parts = read_keras_parts(file);  // here, so that the child needs no memory for it
  const std::string path = file.string();
  return std::make_unique<Hdf5Reader>(
      path, "keras", [&] { return std::make_unique<Hdf5File>(path, parts.image, parts.layers); },
      [path] {
        const KerasParts again = read_keras_parts(path);
        return std::make_unique<Hdf5File>(path, again.image, again.layers);
      });
}

}  // namespace setol::io
