// A tokenizer for the subset of PTX that declares entries. Comments are dropped first, then the
// text is split into tokens (identifiers with dots, numbers, punctuation). Function bodies are
// walked by brace depth, so nothing inside a body is mistaken for a declaration; of a body only its
// griddepcontrol.wait and the functions it calls are noted.
#include "codeobj/ptx_entries.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>

#include "codeobj/concat.h"

namespace aotc::codeobj {
namespace {

struct Token {
  std::string_view text;
  int line;
};

bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || c == '.' || c == '%';
}

Result<std::vector<Token>> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  int line = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (text.compare(i, 2, "//") == 0) {
      i = text.find('\n', i);
      if (i == std::string_view::npos) i = text.size();
    } else if (text.compare(i, 2, "/*") == 0) {
      std::size_t end = text.find("*/", i + 2);
      if (end == std::string_view::npos)
        return make_error(concat("line ", line, ": unterminated comment"));
      line += static_cast<int>(std::count(text.begin() + i, text.begin() + end, '\n'));
      i = end + 2;
    } else if (c == '"') {
      std::size_t end = text.find('"', i + 1);
      if (end == std::string_view::npos)
        return make_error(concat("line ", line, ": unterminated string"));
      tokens.push_back({text.substr(i, end + 1 - i), line});
      i = end + 1;
    } else if (ident_char(c)) {
      std::size_t j = i;
      while (j < text.size() && ident_char(text[j])) ++j;
      tokens.push_back({text.substr(i, j - i), line});
      i = j;
    } else {
      tokens.push_back({text.substr(i, 1), line});
      ++i;
    }
  }
  return tokens;
}

// Byte size of a PTX fundamental type; 0 when `type` is not one.
std::uint32_t type_size(std::string_view type) {
  static const std::map<std::string_view, std::uint32_t> kSizes = {
      {".b8", 1},  {".u8", 1},  {".s8", 1},    {".b16", 2},    {".u16", 2},
      {".s16", 2}, {".f16", 2}, {".bf16", 2},  {".b32", 4},    {".u32", 4},
      {".s32", 4}, {".f32", 4}, {".f16x2", 4}, {".bf16x2", 4}, {".b64", 8},
      {".u64", 8}, {".s64", 8}, {".f64", 8},   {".b128", 16},  {".pred", 1},
  };
  auto it = kSizes.find(type);
  return it == kSizes.end() ? 0 : it->second;
}

// A PTX identifier: [a-zA-Z][a-zA-Z0-9_$]* or [_$%][a-zA-Z0-9_$]+ (PTX ISA, "Identifiers").
bool is_ptx_identifier(std::string_view s) {
  auto follows = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$';
  };
  if (s.empty() || !std::all_of(s.begin() + 1, s.end(), follows)) return false;
  const char c = s[0];
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return (c == '_' || c == '$' || c == '%') && s.size() > 1;
}

// The most parameter bytes a CUDA kernel takes (sm_70 and later with PTX ISA 8.1; 4 KiB before).
constexpr std::uint64_t kMaxParamBytes = 32764;

std::optional<std::uint64_t> parse_number(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// What a function body does that matters here.
struct BodyFacts {
  bool waits = false;          // executes griddepcontrol.wait itself
  bool indirect_call = false;  // calls through a register: the callee is unknown
  std::set<std::string> callees;
};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<PtxModule> parse() {
    PtxModule module;
    std::vector<BodyFacts> entry_bodies;
    while (i_ < t_.size()) {
      std::string_view tok = t_[i_].text;
      if (tok == ".func") {
        if (auto st = parse_func(); !st) return st.error();
      } else if (tok == ".version" && i_ + 1 < t_.size()) {
        module.version = std::string(t_[i_ + 1].text);
        i_ += 2;
      } else if (tok == ".target" && i_ + 1 < t_.size()) {
        module.target = std::string(t_[i_ + 1].text);
        i_ += 2;
      } else if (tok == ".entry") {
        const std::size_t at = i_;
        BodyFacts body;
        auto entry = parse_entry(body);
        if (!entry) return entry.error();
        const bool repeated =
            std::any_of(module.entries.begin(), module.entries.end(),
                        [&](const PtxEntry& earlier) { return earlier.name == entry->name; });
        if (repeated) {
          i_ = at + 1;
          return error_here(concat(".entry ", entry->name, " is declared twice"));
        }
        module.entries.push_back(std::move(*entry));
        entry_bodies.push_back(std::move(body));
      } else if (tok == "{") {
        BodyFacts ignored;
        if (auto st = walk_block(ignored); !st) return st.error();
      } else {
        ++i_;
      }
    }
    for (std::size_t e = 0; e < module.entries.size(); ++e) {
      module.entries[e].waits_for_prior_grid = may_wait(entry_bodies[e]);
    }
    return module;
  }

 private:
  Error error_here(std::string_view what) const {
    int line = i_ < t_.size() ? t_[i_].line : (t_.empty() ? 1 : t_.back().line);
    std::string_view near = i_ < t_.size() ? t_[i_].text : "end of file";
    return make_error(concat("line ", line, ": ", what, " (at \"", near, "\")"));
  }
  bool at(std::string_view text) const { return i_ < t_.size() && t_[i_].text == text; }

  // Walks a brace-balanced block, noting its waits and calls. A call names its callee as the first
  // operand outside parentheses (`call.uni (retval), f, (a, b);`): a .func name, or a register.
  Status walk_block(BodyFacts& facts) {
    int depth = 0;
    do {
      if (i_ >= t_.size()) return error_here("unbalanced braces");
      const std::string_view tok = t_[i_].text;
      if (tok == "{") ++depth;
      if (tok == "}") --depth;
      if (tok == "griddepcontrol.wait") facts.waits = true;
      if (tok == "call" || tok.starts_with("call.")) note_callee(facts);
      ++i_;
    } while (depth > 0);
    return Status::success();
  }

  void note_callee(BodyFacts& facts) const {
    int parens = 0;
    for (std::size_t j = i_ + 1; j < t_.size() && t_[j].text != ";"; ++j) {
      const std::string_view tok = t_[j].text;
      if (tok == "(") ++parens;
      if (tok == ")") --parens;
      if (parens == 0 && is_ptx_identifier(tok)) {
        if (tok.starts_with("%"))
          facts.indirect_call = true;
        else
          facts.callees.insert(std::string(tok));
        return;
      }
    }
  }

  // `.func [(return params)] name (params) [directives] { body }` or a prototype ending in `;`:
  // only the name and the body's facts are kept. A form not understood here (attributes before
  // the name, say) is passed over, not refused: its calls then count as ones that may wait.
  Status parse_func() {
    ++i_;  // .func
    if (at("(") && !skip_parens()) return error_here(".func: unbalanced parentheses");
    std::string name;
    if (i_ < t_.size() && is_ptx_identifier(t_[i_].text)) name = std::string(t_[i_++].text);
    while (i_ < t_.size() && t_[i_].text != "{" && t_[i_].text != ";") ++i_;
    if (!at("{")) return Status::success();  // a declaration: its body comes elsewhere, if at all
    BodyFacts facts;
    if (auto st = walk_block(facts); !st) return st;
    if (!name.empty()) funcs_[name] = std::move(facts);
    return Status::success();
  }

  bool skip_parens() {
    int depth = 0;
    do {
      if (i_ >= t_.size()) return false;
      if (t_[i_].text == "(") ++depth;
      if (t_[i_].text == ")") --depth;
      ++i_;
    } while (depth > 0);
    return true;
  }

  // Whether `body` or a function it reaches may execute griddepcontrol.wait. A callee whose body
  // is not here (extern, linked later) may. A worklist, not recursion: hostile PTX may chain
  // functions arbitrarily deep.
  bool may_wait(const BodyFacts& body) const {
    std::set<std::string_view> visited;
    std::vector<const BodyFacts*> pending{&body};
    while (!pending.empty()) {
      const BodyFacts* facts = pending.back();
      pending.pop_back();
      if (facts->waits || facts->indirect_call) return true;
      for (const std::string& callee : facts->callees) {
        auto it = funcs_.find(callee);
        if (it == funcs_.end()) return true;
        if (visited.insert(it->first).second) pending.push_back(&it->second);
      }
    }
    return false;
  }

  Result<PtxEntry> parse_entry(BodyFacts& body) {
    ++i_;  // .entry
    if (i_ >= t_.size() || !is_ptx_identifier(t_[i_].text)) {
      return error_here(".entry without a name");
    }
    PtxEntry entry;
    entry.name = std::string(t_[i_++].text);
    if (at("(")) {
      ++i_;
      while (!at(")")) {
        auto param = parse_param();
        if (!param) return param.error().with_context(concat(".entry ", entry.name));
        const std::uint64_t offset =
            (std::uint64_t{entry.param_bytes} + param->align - 1) / param->align * param->align;
        if (offset + param->size > kMaxParamBytes) {
          return error_here(concat(".entry ", entry.name, ": parameters of more than ",
                                   kMaxParamBytes, " bytes (the CUDA limit)"));
        }
        param->offset = static_cast<std::uint32_t>(offset);
        entry.param_bytes = static_cast<std::uint32_t>(offset + param->size);
        entry.params.push_back(std::move(*param));
        if (at(","))
          ++i_;
        else if (!at(")"))
          return error_here(concat(".entry ", entry.name, ": expected , or )"));
      }
      ++i_;
    }
    // Performance directives between the parameter list and the body.
    while (i_ < t_.size() && t_[i_].text != "{" && t_[i_].text != ";") {
      std::string_view d = t_[i_].text;
      ++i_;
      if (d == ".maxntid" || d == ".reqntid") {
        std::uint64_t threads = 1;
        for (;;) {
          auto n = i_ < t_.size() ? parse_number(t_[i_].text) : std::nullopt;
          if (!n || *n == 0 || *n > 1u << 20)
            return error_here(concat(d, ": expected a thread count"));
          threads *= *n;
          ++i_;
          if (!at(",")) break;
          ++i_;
        }
        entry.max_threads =
            static_cast<std::uint32_t>(std::min<std::uint64_t>(threads, UINT32_MAX));
      }
    }
    if (at("{")) {
      if (auto st = walk_block(body); !st) return st.error();
    } else if (at(";")) {
      ++i_;
    }
    return entry;
  }

  Result<PtxParam> parse_param() {
    if (!at(".param")) return error_here("expected .param");
    ++i_;
    PtxParam p;
    std::uint32_t explicit_align = 0;
    while (i_ < t_.size() && t_[i_].text.starts_with(".")) {
      std::string_view d = t_[i_].text;
      ++i_;
      if (d == ".align") {
        auto n = i_ < t_.size() ? parse_number(t_[i_].text) : std::nullopt;
        if (!n || *n == 0 || *n > 4096 || (*n & (*n - 1)))
          return error_here(".align needs a power of two");
        explicit_align = static_cast<std::uint32_t>(*n);
        ++i_;
      } else if (d == ".ptr") {
        p.pointer = true;
      } else if (type_size(d)) {
        p.type = std::string(d);
      } else if (d == ".global" || d == ".const" || d == ".shared" || d == ".local") {
        // state space of a .ptr parameter: no effect on layout
      } else {
        return error_here(concat("unsupported parameter attribute ", d));
      }
    }
    if (p.type.empty()) return error_here("parameter without a type");
    if (i_ >= t_.size() || !is_ptx_identifier(t_[i_].text)) {
      return error_here("parameter without a name");
    }
    p.name = std::string(t_[i_++].text);
    std::uint64_t count = 1;
    if (at("[")) {
      ++i_;
      auto n = i_ < t_.size() ? parse_number(t_[i_].text) : std::nullopt;
      if (!n || *n == 0 || *n > 1u << 16) return error_here("expected an array size of 1..65536");
      count = *n;
      ++i_;
      if (!at("]")) return error_here("expected ]");
      ++i_;
    }
    std::uint32_t element = type_size(p.type);
    p.size = static_cast<std::uint32_t>(element * count);
    p.align = explicit_align ? explicit_align : element;
    // .ptr .align N describes the pointee; the parameter itself is aligned to its own size.
    if (p.pointer) p.align = element;
    return p;
  }

  std::vector<Token> t_;
  std::size_t i_ = 0;
  std::map<std::string, BodyFacts, std::less<>> funcs_;  // .func bodies by name
};

}  // namespace

Result<PtxModule> read_ptx(std::string_view text) {
  auto tokens = tokenize(text);
  if (!tokens) return tokens.error().with_context("PTX");
  auto module = Parser(std::move(*tokens)).parse();
  if (!module) return module.error().with_context("PTX");
  return module;
}

}  // namespace aotc::codeobj
