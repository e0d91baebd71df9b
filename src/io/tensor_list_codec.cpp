#include "io/tensor_list_codec.hpp"

#include <cstdint>
#include <cstring>

#include "setol/error.hpp"

namespace setol::io {
namespace {

void put_u64(std::string& out, std::uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }
void put_text(std::string& out, const std::string& s) {
  put_u64(out, s.size());
  out += s;
}

class Cursor {
 public:
  Cursor(const std::string& b, const std::string& path) : b_(b), path_(path) {}
  std::uint64_t u64() {
    need(8);
    std::uint64_t v;
    std::memcpy(&v, b_.data() + pos_, 8);
    pos_ += 8;
    return v;
  }
  std::string text() {
    const std::uint64_t n = u64();
    need(n);
    std::string s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::uint64_t count(std::uint64_t max) {
    const std::uint64_t n = u64();
    if (n > max) bad();
    return n;
  }
  bool done() const { return pos_ == b_.size(); }
  [[noreturn]] void bad() const { throw InputError(path_, "the reader process sent a malformed list of tensors"); }

 private:
  void need(std::uint64_t n) const {
    if (n > b_.size() - pos_) bad();
  }
  const std::string& b_;
  const std::string& path_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string encode_tensor_list(const std::string& format, const std::vector<ListedTensor>& tensors) {
  std::string out;
  put_text(out, format);
  put_u64(out, tensors.size());
  for (const auto& t : tensors) {
    put_text(out, t.locator);
    put_text(out, t.info.name);
    put_text(out, t.info.dtype_text);
    put_u64(out, static_cast<std::uint64_t>(t.info.dtype));
    put_u64(out, static_cast<std::uint64_t>(t.info.layout));
    put_u64(out, t.info.big_endian ? 1 : 0);
    put_u64(out, t.info.shape.size());
    for (const auto d : t.info.shape) put_u64(out, static_cast<std::uint64_t>(d));
  }
  return out;
}

std::pair<std::string, std::vector<ListedTensor>> decode_tensor_list(const std::string& bytes, const std::string& path) {
  Cursor c(bytes, path);
  std::string format = c.text();
  // Each tensor takes at least 56 bytes, so the count is bounded by the list's size.
  const std::uint64_t n = c.count(bytes.size() / 56);
  std::vector<ListedTensor> out(static_cast<std::size_t>(n));
  for (auto& t : out) {
    t.locator = c.text();
    t.info.name = c.text();
    t.info.dtype_text = c.text();
    t.info.dtype = static_cast<DType>(c.count(static_cast<std::uint64_t>(DType::Other)));
    t.info.layout = static_cast<Layout>(c.count(static_cast<std::uint64_t>(Layout::Keras)));
    t.info.big_endian = c.count(1) == 1;
    t.info.shape.resize(static_cast<std::size_t>(c.count(64)));
    for (auto& d : t.info.shape) d = static_cast<std::int64_t>(c.count(static_cast<std::uint64_t>(INT64_MAX)));
    t.info.source = path;
  }
  if (!c.done()) c.bad();
  return {std::move(format), std::move(out)};
}

}  // namespace setol::io
