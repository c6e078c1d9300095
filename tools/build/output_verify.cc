#include "build/output_verify.h"

#include <sys/stat.h>

#include "core/atomic_file.h"
#include "core/hashing.h"
#include "matrix/json_document.h"

namespace aotc {
namespace fs = std::filesystem;

namespace {

// A manifest lists a few thousand files at most; far past that it is not ours.
constexpr std::uint64_t kMaxManifestBytes = 256u << 20;

bool is_inside_out_dir(const std::string& file) {
  fs::path path = fs::path(file).lexically_normal();
  return !file.empty() && !path.is_absolute() && !path.empty() && *path.begin() != ".." &&
         path != ".";
}

class Collector {
 public:
  // Reads {"<prefix>file", "<prefix>size", "<prefix>sha256"} from `entry` at `where`.
  void add(const nlohmann::json& entry, const std::string& where, const std::string& prefix = "") {
    const std::string file_key = prefix + "file", size_key = prefix + "size",
                      sha_key = prefix + "sha256";
    if (!entry.is_object() || !entry.contains(file_key)) {
      problems_.push_back(where + ": expected an object with \"" + file_key + "\"");
      return;
    }
    const nlohmann::json& file = entry[file_key];
    const nlohmann::json* size = entry.contains(size_key) ? &entry[size_key] : nullptr;
    const nlohmann::json* sha = entry.contains(sha_key) ? &entry[sha_key] : nullptr;
    if (!file.is_string() || !is_inside_out_dir(file.get<std::string>())) {
      problems_.push_back(
          where + "." + file_key + ": expected a path inside the output directory, found " +
          file.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 200));
      return;
    }
    if (!size || !size->is_number_unsigned() || !sha || !sha->is_string() ||
        sha->get<std::string>().size() != 64) {
      problems_.push_back(where + ": " + file.get<std::string>() + " is listed without \"" +
                          size_key + "\" and \"" + sha_key + "\"");
      return;
    }
    files_.push_back(
        {file.get<std::string>(), size->get<std::uint64_t>(), sha->get<std::string>(), where});
  }

  void problem(std::string line) { problems_.push_back(std::move(line)); }

  Result<std::vector<ListedFile>> result() {
    if (problems_.empty()) return std::move(files_);
    std::string message = "manifest.json lists files it does not describe:";
    for (const auto& line : problems_) message += "\n" + line;
    return make_error(message);
  }

 private:
  std::vector<ListedFile> files_;
  std::vector<std::string> problems_;
};

}  // namespace

Result<std::vector<ListedFile>> listed_output_files(const nlohmann::json& manifest) {
  Collector collector;
  if (!manifest.is_object() || manifest.value("schema", "") != "aotc-manifest") {
    return make_error(
        "manifest.json: not an aotc manifest (expected \"schema\": \"aotc-manifest\")");
  }
  if (!manifest.contains("variants") || !manifest["variants"].is_array())
    return make_error("manifest.json: variants: expected an array");
  const nlohmann::json& variants = manifest["variants"];
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const std::string where = "variants[" + std::to_string(v) + "]";
    const nlohmann::json& variant = variants[v];
    if (!variant.is_object() || !variant.contains("objects") || !variant["objects"].is_array()) {
      collector.problem(where + ": expected an object with an \"objects\" array");
      continue;
    }
    const nlohmann::json& objects = variant["objects"];
    for (std::size_t o = 0; o < objects.size(); ++o) {
      const std::string object_where = where + ".objects[" + std::to_string(o) + "]";
      collector.add(objects[o], object_where);
      if (objects[o].is_object() && objects[o].contains("ptx_file"))
        collector.add(objects[o], object_where, "ptx_");
    }
    if (variant.contains("bundle")) collector.add(variant["bundle"], where + ".bundle");
  }
  if (manifest.contains("launchers")) {
    const nlohmann::json& launchers = manifest["launchers"];
    if (!launchers.is_array()) {
      collector.problem("launchers: expected an array");
    } else {
      for (std::size_t l = 0; l < launchers.size(); ++l)
        collector.add(launchers[l], "launchers[" + std::to_string(l) + "]");
    }
  }
  return collector.result();
}

Result<VerifyReport> verify_output_dir(const fs::path& out_dir) {
  const fs::path manifest_path = out_dir / "manifest.json";
  auto text = read_file_text(manifest_path, kMaxManifestBytes);
  if (!text) return text.error();
  auto manifest = parse_json_document(*text, manifest_path.string());
  if (!manifest) return manifest.error();
  auto files = listed_output_files(nlohmann::json(*manifest));
  if (!files) return files.error().with_context(out_dir.string());

  VerifyReport report;
  for (const ListedFile& listed : *files) {
    ++report.checked;
    const fs::path path = out_dir / listed.file;
    const std::string name = path.string();
    struct stat info{};
    if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
      report.mismatches.push_back(name + ": missing (listed at " + listed.where + ")");
      continue;
    }
    if (static_cast<std::uint64_t>(info.st_size) != listed.size) {
      report.mismatches.push_back(name + ": " + std::to_string(info.st_size) +
                                  " bytes, the manifest lists " + std::to_string(listed.size) +
                                  " (" + listed.where + ")");
      continue;
    }
    auto hash = sha256_hex_of_file(path);
    if (!hash) {
      report.mismatches.push_back(name + ": " + hash.error().message);
    } else if (*hash != listed.sha256) {
      report.mismatches.push_back(name + ": SHA-256 " + *hash + " differs from the listed " +
                                  listed.sha256 + " (" + listed.where + ")");
    }
  }
  return report;
}

}  // namespace aotc
