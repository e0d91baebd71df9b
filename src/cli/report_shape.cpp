#include "cli/report_shape.hpp"

#include <cstdint>
#include <initializer_list>

#include "setol/error.hpp"

namespace setol::cli {
namespace {

using json = nlohmann::ordered_json;

struct Checker {
  const std::string& file;
  const std::string& what;
  const std::string& where;

  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError(file, what + ": " + where + ": " + problem);
  }
  // Keys that, where present, must hold a value of one kind.
  template <class Test>
  void where_present(const json& j, std::initializer_list<const char*> keys, Test test, const char* kind,
                     const std::string& in = "") const {
    for (const char* k : keys)
      if (const auto it = j.find(k); it != j.end() && !test(*it))
        fail(in + "\"" + k + "\" is not " + kind);
  }
};

bool is_string(const json& v) { return v.is_string(); }
bool is_integer(const json& v) { return v.is_number_integer(); }
bool is_string_or_null(const json& v) { return v.is_string() || v.is_null(); }
// Layer and slice ids are ints in setol (and file names in --dump-esd folders and figures).
bool is_id(const json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>() <= 0x7fffffff;
  return v.is_number_integer() && v.get<std::int64_t>() >= 0 && v.get<std::int64_t>() <= 0x7fffffff;
}
bool is_id_or_null(const json& v) { return is_id(v) || v.is_null(); }

}  // namespace

void check_header_shape(const std::string& file, const std::string& what, const std::string& where,
                        const json& header) {
  const Checker c{file, what, where};
  const auto command = header.find("command");
  if (command == header.end() || !command->is_string() || *command != "analyze")
    c.fail("not the header of a setol analyze report (\"command\" is not \"analyze\")");
  const auto inputs = header.find("inputs");
  if (inputs == header.end() || !inputs->is_array()) c.fail("the header's \"inputs\" is not an array");
  for (std::size_t k = 0; k < inputs->size(); ++k) {
    const json& in = (*inputs)[k];
    const std::string which = "input " + std::to_string(k + 1) + ": ";
    if (!in.is_object()) c.fail(which + "not an object");
    c.where_present(in, {"path", "error", "role"}, is_string, "a string", which);
    c.where_present(in, {"format"}, is_string_or_null, "a string or null", which);
    c.where_present(in, {"tensors", "bytes", "mtime_ns"}, is_integer, "an integer", which);
  }
  const auto options = header.find("options");
  if (options == header.end() || !options->is_object()) c.fail("the header's \"options\" is not an object");
  if (const auto shard = header.find("shard"); shard != header.end()) {
    if (!shard->is_object()) c.fail("the header's \"shard\" is not an object");
    c.where_present(*shard, {"index", "count", "rows", "total_rows"}, is_integer, "an integer", "shard: ");
  }
}

void check_row_shape(const std::string& file, const std::string& what, const std::string& where, const json& row) {
  const Checker c{file, what, where};
  if (!row.is_object()) c.fail("a layer row is not an object");
  const auto id = row.find("layer_id");
  if (id == row.end() || !is_id(*id)) c.fail("\"layer_id\" is not an integer from 0 to 2^31-1");
  c.where_present(row, {"slice_id"}, is_id_or_null, "an integer from 0 to 2^31-1 or null");
  c.where_present(row, {"name", "model", "status"}, is_string, "a string");
  for (const auto& [key, v] : row.items())
    if (v.is_array())
      for (const auto& e : v)
        if (!e.is_number_integer()) c.fail("\"" + one_line(key, 80) + "\" is not a list of integers");
}

void check_summary_shape(const std::string& file, const std::string& what, const std::string& where,
                         const json& summary) {
  const Checker c{file, what, where};
  const auto models = summary.find("models");
  if (models == summary.end()) return;
  if (!models->is_array()) c.fail("\"models\" is not an array");
  for (const auto& m : *models) {
    if (!m.is_object()) c.fail("an entry of \"models\" is not an object");
    c.where_present(m, {"status"}, is_string, "a string", "models: ");
  }
}

}  // namespace setol::cli
