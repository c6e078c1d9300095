#include "build/shard.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "core/atomic_file.h"
#include "core/error_list.h"

namespace aotc {
namespace fs = std::filesystem;

namespace {

constexpr int kShardSchemaVersion = 1;
constexpr std::uint64_t kMaxShardManifestBytes = std::uint64_t{1} << 28;

// Expected relative cost of an object's compile: tool runs (clang, then ptxas for a cubin).
// Not the compile-time history (compile_costs.h): every shard job must compute the same
// partition from the matrix alone, and the jobs' caches hold different histories.
std::size_t expected_cost(const PlannedObject& object) {
  return object.ptxas_flags.empty() ? 1 : 2;
}

nlohmann::ordered_json tool_json(const Toolchain& tool) {
  return {{"path", tool.path.string()},
          {"version", tool.version},
          {"major", tool.major},
          {"version_line", tool.version_line}};
}

// The first error among some results, or null.
template <class... Results>
const Error* first_error(const Results&... results) {
  const Error* found = nullptr;
  ((found = found ? found : (results.ok() ? nullptr : &results.error())), ...);
  return found;
}

// Readers for the shard manifest: a wrong type is an error naming the key.
struct Reader {
  const nlohmann::json& json;
  std::string where;

  Result<const nlohmann::json*> field(const char* key, nlohmann::json::value_t type) const {
    auto it = json.find(key);
    bool ok = it != json.end() &&
              (it->type() == type ||
               (type == nlohmann::json::value_t::number_unsigned && it->is_number_unsigned()));
    if (!ok) return make_error(where + ": \"" + key + "\" missing or of the wrong type");
    return &*it;
  }
  Result<std::string> text(const char* key) const {
    auto found = field(key, nlohmann::json::value_t::string);
    if (!found) return found.error();
    return (*found)->get<std::string>();
  }
  Result<std::uint64_t> number(const char* key) const {
    auto found = field(key, nlohmann::json::value_t::number_unsigned);
    if (!found) return found.error();
    return (*found)->get<std::uint64_t>();
  }
};

Result<Toolchain> tool_from_json(const nlohmann::json& json, const std::string& where) {
  if (!json.is_object()) return make_error(where + ": expected an object");
  Reader reader{json, where};
  auto path = reader.text("path");
  auto version = reader.text("version");
  auto line = reader.text("version_line");
  auto major = reader.number("major");
  if (const Error* error = first_error(path, version, line, major)) return *error;
  Toolchain tool;
  tool.path = *path;
  tool.version = *version;
  tool.version_line = *line;
  tool.major = static_cast<int>(*major);
  return tool;
}

std::vector<std::string> strings_of(const nlohmann::json& json, const char* key) {
  std::vector<std::string> items;
  if (json.contains(key) && json[key].is_array()) {
    for (const auto& item : json[key]) {
      if (item.is_string()) items.push_back(item.get<std::string>());
    }
  }
  return items;
}

}  // namespace

Result<ShardSpec> parse_shard(std::string_view text) {
  auto slash = text.find('/');
  ShardSpec spec{0, 0};
  auto number = [](std::string_view digits, std::size_t& value) {
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return ec == std::errc() && end == digits.data() + digits.size() && !digits.empty();
  };
  if (slash == std::string_view::npos || !number(text.substr(0, slash), spec.index) ||
      !number(text.substr(slash + 1), spec.count) || spec.index < 1 || spec.index > spec.count) {
    return make_error("--shard " + std::string(text) +
                      ": expected K/N with 1 <= K <= N (shard K of N), e.g. 2/4");
  }
  return spec;
}

std::vector<std::size_t> shard_objects(const std::vector<PlannedObject>& plan, ShardSpec spec) {
  std::map<std::string, std::vector<std::size_t>> groups;  // key -> objects: compiled once
  for (std::size_t i = 0; i < plan.size(); ++i) groups[plan[i].key].push_back(i);
  std::vector<const std::pair<const std::string, std::vector<std::size_t>>*> order;
  for (const auto& group : groups) order.push_back(&group);
  std::stable_sort(order.begin(), order.end(), [&](const auto* a, const auto* b) {
    return expected_cost(plan[a->second.front()]) > expected_cost(plan[b->second.front()]);
  });
  std::vector<std::size_t> load(spec.count, 0);
  std::vector<std::size_t> mine;
  for (const auto* group : order) {
    std::size_t least = std::min_element(load.begin(), load.end()) - load.begin();
    load[least] += expected_cost(plan[group->second.front()]);
    if (least + 1 == spec.index)
      mine.insert(mine.end(), group->second.begin(), group->second.end());
  }
  std::sort(mine.begin(), mine.end());
  return mine;
}

nlohmann::ordered_json toolchains_json(const Toolchains& tools) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  if (!tools.clang.path.empty()) json["clang"] = tool_json(tools.clang);
  if (tools.ptxas) json["ptxas"] = tool_json(*tools.ptxas);
  if (tools.triton) {
    const TritonInstall& triton = *tools.triton;
    nlohmann::ordered_json identity = nlohmann::ordered_json::array();
    for (const auto& file : triton.identity_files) identity.push_back(file.string());
    json["triton"] = {{"python", tool_json(triton.python)},
                      {"helper", triton.helper.string()},
                      {"helper_sha256", triton.helper_sha256},
                      {"version", triton.version},
                      {"path", triton.path.string()},
                      {"backends", triton.backends},
                      {"api", triton.api},
                      {"gluon", triton.gluon},
                      {"gluon_problem", triton.gluon_problem},
                      {"python_path_env", triton.python_path_env},
                      {"identity_files", identity}};
  }
  return json;
}

Result<Toolchains> toolchains_from_json(const nlohmann::json& json) {
  Toolchains tools;
  if (!json.is_object()) return make_error("\"toolchains\": expected an object");
  if (json.contains("clang")) {
    auto clang = tool_from_json(json["clang"], "toolchains.clang");
    if (!clang) return clang.error();
    tools.clang = std::move(clang.value());
  }
  if (json.contains("ptxas")) {
    auto ptxas = tool_from_json(json["ptxas"], "toolchains.ptxas");
    if (!ptxas) return ptxas.error();
    tools.ptxas = std::move(ptxas.value());
  }
  if (json.contains("triton")) {
    const auto& recorded = json["triton"];
    if (!recorded.is_object()) return make_error("toolchains.triton: expected an object");
    Reader reader{recorded, "toolchains.triton"};
    auto python =
        tool_from_json(recorded.value("python", nlohmann::json()), "toolchains.triton.python");
    if (!python) return python.error();
    TritonInstall triton;
    triton.python = std::move(python.value());
    for (auto [key, field] :
         {std::pair{"helper_sha256", &triton.helper_sha256}, std::pair{"version", &triton.version},
          std::pair{"api", &triton.api}, std::pair{"gluon_problem", &triton.gluon_problem},
          std::pair{"python_path_env", &triton.python_path_env}}) {
      auto value = reader.text(key);
      if (!value) return value.error();
      *field = std::move(value.value());
    }
    auto helper = reader.text("helper");
    auto path = reader.text("path");
    if (!helper) return helper.error();
    if (!path) return path.error();
    triton.helper = *helper;
    triton.path = *path;
    triton.gluon = recorded.value("gluon", false);
    triton.backends = strings_of(recorded, "backends");
    for (const auto& file : strings_of(recorded, "identity_files")) {
      triton.identity_files.emplace_back(file);
    }
    tools.triton = std::move(triton);
  }
  return tools;
}

nlohmann::ordered_json shard_manifest_json(const ShardManifest& shard) {
  nlohmann::ordered_json objects = nlohmann::ordered_json::array();
  for (const auto& object : shard.objects) {
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const auto& file : object.files) {
      files.push_back({{"kind", file.kind},
                       {"file", file.file.string()},
                       {"size", file.size},
                       {"sha256", file.sha256}});
    }
    objects.push_back({{"key", object.key}, {"name", object.name}, {"files", files}});
  }
  return {{"schema", "aotc-shard"},
          {"schema_version", kShardSchemaVersion},
          {"shard", shard.spec.index},
          {"shards", shard.spec.count},
          {"matrix_sha256", shard.matrix_sha256},
          {"targets", shard.targets},
          {"toolchains", shard.toolchains},
          {"planned", shard.planned},
          {"objects", objects}};
}

Result<ShardManifest> read_shard_manifest(const fs::path& dir) {
  const fs::path path = dir / "manifest.json";
  auto text = read_file_text(path, kMaxShardManifestBytes);
  if (!text) return text.error().with_context("shard " + dir.string());
  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (!json.is_object()) return make_error(path.string() + ": not JSON");
  if (json.value("schema", "") != "aotc-shard") {
    return make_error(path.string() +
                      ": not a shard's manifest (schema \"aotc-shard\"; build shards with "
                      "aotc build --shard K/N)");
  }
  if (json.value("schema_version", 0) != kShardSchemaVersion) {
    return make_error(path.string() + ": shard schema_version " +
                      json.value("schema_version", nlohmann::json()).dump() + ", expected " +
                      std::to_string(kShardSchemaVersion));
  }
  Reader reader{json, path.string()};
  ShardManifest shard;
  shard.dir = dir;
  auto index = reader.number("shard");
  auto count = reader.number("shards");
  auto planned = reader.number("planned");
  auto matrix = reader.text("matrix_sha256");
  auto objects = reader.field("objects", nlohmann::json::value_t::array);
  auto toolchains = reader.field("toolchains", nlohmann::json::value_t::object);
  if (const Error* error = first_error(index, count, planned, matrix, objects, toolchains))
    return *error;
  if (*index < 1 || *index > *count) {
    return make_error(path.string() + ": shard " + std::to_string(*index) + " of " +
                      std::to_string(*count) + " is out of range");
  }
  shard.spec = {*index, *count};
  shard.planned = *planned;
  shard.matrix_sha256 = *matrix;
  shard.targets = strings_of(json, "targets");
  shard.toolchains = **toolchains;
  for (std::size_t i = 0; i < (*objects)->size(); ++i) {
    const auto& object = (**objects)[i];
    const std::string where = path.string() + ": objects[" + std::to_string(i) + "]";
    if (!object.is_object()) return make_error(where + ": expected an object");
    Reader fields{object, where};
    auto key = fields.text("key");
    auto name = fields.text("name");
    auto files = fields.field("files", nlohmann::json::value_t::array);
    if (const Error* error = first_error(key, name, files)) return *error;
    ShardObject read{*key, *name, {}};
    for (std::size_t f = 0; f < (*files)->size(); ++f) {
      const auto& file = (**files)[f];
      const std::string file_where = where + ".files[" + std::to_string(f) + "]";
      if (!file.is_object()) return make_error(file_where + ": expected an object");
      Reader file_fields{file, file_where};
      auto kind = file_fields.text("kind");
      auto relative = file_fields.text("file");
      auto size = file_fields.number("size");
      auto sha256 = file_fields.text("sha256");
      if (const Error* error = first_error(kind, relative, size, sha256)) return *error;
      // Only paths inside the shard: a manifest must not make the merge read /etc/shadow.
      fs::path normal = fs::path(*relative).lexically_normal();
      if (normal.is_absolute() || normal.empty() || *normal.begin() == "..") {
        return make_error(file_where + ": \"" + *relative + "\" is not inside the shard");
      }
      read.files.push_back({*kind, normal, *size, *sha256});
    }
    shard.objects.push_back(std::move(read));
  }
  return shard;
}

Status check_shard_set(const std::vector<ShardManifest>& shards) {
  if (shards.empty()) return make_error("no shards given");
  ErrorList problems;
  const ShardManifest& first = shards.front();
  auto named = [](const ShardManifest& shard) {
    return "shard " + std::to_string(shard.spec.index) + "/" + std::to_string(shard.spec.count) +
           " (" + shard.dir.string() + ")";
  };
  std::map<std::size_t, const ShardManifest*> seen;
  for (const auto& shard : shards) {
    if (shard.spec.count != first.spec.count) {
      problems.add(named(shard) + " is one of " + std::to_string(shard.spec.count) + " shards, " +
                   named(first) + " one of " + std::to_string(first.spec.count));
      continue;
    }
    if (auto [it, fresh] = seen.emplace(shard.spec.index, &shard); !fresh) {
      problems.add(named(shard) + " overlaps " + it->second->dir.string() +
                   ": the same shard given twice");
    }
    if (shard.matrix_sha256 != first.matrix_sha256 || shard.planned != first.planned ||
        shard.targets != first.targets) {
      problems.add(named(shard) + " was built from another matrix or target list than " +
                   named(first));
    }
    if (shard.toolchains != first.toolchains) {
      problems.add(named(shard) + " was built with other compilers than " + named(first) + ": " +
                   shard.toolchains.dump() + " vs " + first.toolchains.dump());
    }
  }
  std::string missing;
  for (std::size_t k = 1; k <= first.spec.count; ++k) {
    if (!seen.count(k)) missing += (missing.empty() ? "" : ", ") + std::to_string(k);
  }
  if (!missing.empty()) {
    problems.add("missing shard(s) " + missing + " of " + std::to_string(first.spec.count));
  }
  return problems.status();
}

}  // namespace aotc
