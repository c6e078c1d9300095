// `aotc inspect FILE... [--json]`: what is inside code objects (.hsaco), cubins, PTX and plain or
// compressed offload bundles: targets, kernels, argument layouts, registers, LDS/shared memory and
// occupancy. Any unreadable file is reported and makes the exit status 1.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "codeobj/inspect_report.h"
#include "command_registry.h"
#include "core/atomic_file.h"

namespace {

using nlohmann::json;

std::string value_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  return v.dump();
}

// Prints rows as left-aligned columns.
void print_table(const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows, const std::string& indent) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  auto print_row = [&](const std::vector<std::string>& row) {
    std::cout << indent;
    for (std::size_t c = 0; c < row.size(); ++c) {
      std::cout << std::left << std::setw(static_cast<int>(width[c]) + 2) << row[c];
    }
    std::cout << '\n';
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
}

std::string args_text(const json& args) {
  std::ostringstream out;
  bool first = true;
  for (const auto& a : args) {
    if (!first) out << ", ";
    first = false;
    out << a["offset"].get<std::uint64_t>() << ":" << a["size"].get<std::uint64_t>();
    if (a.contains("kind")) out << " " << a["kind"].get<std::string>();
    if (a.contains("type")) out << " " << a["type"].get<std::string>();
  }
  return out.str();
}

void print_metadata(const std::string& format, const json& m, const std::string& indent) {
  std::cout << indent << "target " << value_text(m["target_id"]);
  if (m.contains("code_object_version"))
    std::cout << ", code object v" << value_text(m["code_object_version"]);
  if (m.contains("ptx_version")) std::cout << ", PTX " << value_text(m["ptx_version"]);
  std::cout << ", " << m["kernels"].size() << " kernel(s)\n";
  if (m.contains("target_id_note"))
    std::cout << indent << "note: " << value_text(m["target_id_note"]) << '\n';
  std::vector<std::vector<std::string>> rows;
  if (format == "hsaco") {
    for (const auto& k : m["kernels"]) {
      std::string occupancy = "-";
      if (k.contains("occupancy")) {
        occupancy = value_text(k["occupancy"]["waves_per_simd"]) + " (" +
                    value_text(k["occupancy"]["limited_by"]) + ")";
      }
      rows.push_back(
          {value_text(k["name"]), value_text(k["kernarg_size"]),
           value_text(k["group_segment_size"]), value_text(k["private_segment_size"]),
           value_text(k["sgpr_count"]), value_text(k["vgpr_count"]), value_text(k["agpr_count"]),
           value_text(k["sgpr_spill_count"]) + "/" + value_text(k["vgpr_spill_count"]),
           value_text(k["wavefront_size"]), value_text(k["max_workgroup_size"]), occupancy});
    }
    print_table({"kernel", "kernarg", "lds", "scratch", "sgpr", "vgpr", "agpr", "spill s/v", "wave",
                 "max_wg", "waves/simd"},
                rows, indent);
  } else {
    for (const auto& k : m["kernels"]) {
      rows.push_back({value_text(k["name"]), value_text(k["param_bytes"]),
                      k.contains("registers") ? value_text(k["registers"]) : "-",
                      k.contains("shared_bytes") ? value_text(k["shared_bytes"]) : "-",
                      k.contains("local_bytes") ? value_text(k["local_bytes"]) : "-",
                      value_text(k["max_threads"])});
    }
    print_table({"kernel", "params", "regs", "shared", "local", "max_threads"}, rows, indent);
  }
  for (const auto& k : m["kernels"]) {
    std::cout << indent << "  " << value_text(k["name"]) << " args: " << args_text(k["args"])
              << '\n';
  }
}

void print_human(const std::string& file, const json& r) {
  std::string format = r["format"].get<std::string>();
  std::cout << file << ": " << format << ", " << value_text(r["size"]) << " bytes";
  if (format != "bundle") {
    std::cout << '\n';
    print_metadata(format, r["metadata"], "  ");
    return;
  }
  if (r["compressed"].get<bool>()) {
    std::cout << ", compressed (CCOB v" << value_text(r["ccob_version"]) << ", "
              << value_text(r["compression"]) << ", " << value_text(r["uncompressed_size"])
              << " bytes uncompressed)";
  } else {
    std::cout << ", uncompressed";
  }
  std::cout << ", " << r["entries"].size() << " entries\n";
  for (const auto& e : r["entries"]) {
    std::cout << "  entry " << value_text(e["id"]) << " (" << value_text(e["size"]) << " bytes";
    if (e.contains("format")) std::cout << ", " << value_text(e["format"]);
    std::cout << ")\n";
    if (e.contains("metadata")) print_metadata(value_text(e["format"]), e["metadata"], "    ");
  }
}

int run_inspect(const std::vector<std::string>& files, bool as_json) {
  int status = 0;
  json all = json::array();
  for (const auto& file : files) {
    auto bytes = aotc::read_file_bytes(file);
    if (!bytes) {
      std::cerr << "aotc inspect: " << file << ": " << bytes.error().message << '\n';
      status = 1;
      continue;
    }
    auto report = aotc::codeobj::inspect_report(*bytes);
    if (!report) {
      std::cerr << "aotc inspect: " << file << ": " << report.error().message << '\n';
      status = 1;
      continue;
    }
    (*report)["file"] = file;
    if (as_json) {
      all.push_back(std::move(*report));
    } else {
      print_human(file, *report);
    }
  }
  if (as_json) {
    // Kernel names come from untrusted files: replace invalid UTF-8 rather than throw.
    std::cout << all.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
  }
  return status;
}

aotc::cli::CommandRegistration inspect_registration(
    "inspect", [](CLI::App& app) -> aotc::cli::CommandRunner {
      auto* cmd = app.add_subcommand("inspect",
                                     "Show targets, kernels, argument layouts and resources of "
                                     "code objects, cubins, PTX and offload bundles");
      auto files = std::make_shared<std::vector<std::string>>();
      auto as_json = std::make_shared<bool>(false);
      cmd->add_option("files", *files, "Files to inspect")->required();
      cmd->add_flag("--json", *as_json, "Print a JSON array, one object per file");
      return [files, as_json] { return run_inspect(*files, *as_json); };
    });

}  // namespace
