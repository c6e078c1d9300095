#include "launcher/launch_expression.h"

#include <array>
#include <optional>
#include <utility>

#include "launcher/expression_lexer.h"

namespace aotc::launcher {
namespace {

// Deep enough for any real rule, shallow enough that hostile input cannot exhaust the stack.
constexpr int k_max_depth = 64;

// Real rules are a few dozen tokens. Bounding the text bounds the parser's work and the messages
// that quote it; bounding the tokens bounds the tree's depth (a chain `1+1+...+1` nests once per
// operator, which parentheses-depth alone does not catch), and with it the recursion of every
// tree walk and the nesting of the C++ emitted for it (one call per operator), which must stay
// within compilers' limits (clang: 256 nested brackets).
constexpr std::size_t k_max_text = 4096;
constexpr std::size_t k_max_tokens = 256;

struct BinaryLevel {
  std::array<std::pair<std::string_view, ExprOp>, 4> ops;
  std::size_t op_count;
  ExprType operand_type;
  ExprType result_type;
};

// One entry per binary precedence level, lowest first: the parser is one loop over this table.
constexpr std::array<BinaryLevel, 6> k_levels{{
    {{{{"||", ExprOp::logical_or}}}, 1, ExprType::boolean, ExprType::boolean},
    {{{{"&&", ExprOp::logical_and}}}, 1, ExprType::boolean, ExprType::boolean},
    {{{{"==", ExprOp::equal}, {"!=", ExprOp::not_equal}}}, 2, ExprType::integer, ExprType::boolean},
    {{{{"<", ExprOp::less},
       {"<=", ExprOp::less_equal},
       {">", ExprOp::greater},
       {">=", ExprOp::greater_equal}}},
     4,
     ExprType::integer,
     ExprType::boolean},
    {{{{"+", ExprOp::add}, {"-", ExprOp::subtract}}}, 2, ExprType::integer, ExprType::integer},
    {{{{"*", ExprOp::multiply}, {"/", ExprOp::divide}, {"%", ExprOp::modulo}}},
     3,
     ExprType::integer,
     ExprType::integer},
}};

constexpr std::array<std::pair<std::string_view, ExprOp>, 3> k_functions{
    {{"min", ExprOp::min}, {"max", ExprOp::max}, {"ceil_div", ExprOp::ceil_div}}};

std::string_view type_name(ExprType t) { return t == ExprType::integer ? "integer" : "boolean"; }

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens, const SymbolResolver& resolve)
      : text_(text), tokens_(std::move(tokens)), resolve_(resolve) {}

  Result<ExprNode> parse() {
    Result<ExprNode> root = parse_level(0, 0);
    if (!root) return root;
    if (peek().kind != TokenKind::end) return fail(peek(), "unexpected '" + peek().text + "'");
    return root;
  }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() { return tokens_[pos_++]; }

  Error fail(const Token& token, const std::string& problem) const {
    return make_error(problem + " at column " + std::to_string(token.column) + " in \"" +
                      std::string(text_) + "\"");
  }

  Result<ExprNode> check_type(Result<ExprNode> node, const Token& where, ExprType want,
                              std::string_view op) const {
    if (node && node->type != want) {
      return fail(where, "operator '" + std::string(op) + "' needs " +
                             std::string(type_name(want)) + " operands, found a " +
                             std::string(type_name(node->type)) + " one");
    }
    return node;
  }

  Result<ExprNode> parse_level(std::size_t level, int depth) {
    if (level == k_levels.size()) return parse_unary(depth);
    const BinaryLevel& lv = k_levels[level];
    const Token& first = peek();
    Result<ExprNode> left = parse_level(level + 1, depth);
    if (!left) return left;
    for (;;) {
      const Token& token = peek();
      std::optional<ExprOp> op;
      for (std::size_t i = 0; i < lv.op_count; ++i) {
        if (token.kind == TokenKind::op && token.text == lv.ops[i].first) op = lv.ops[i].second;
      }
      if (!op) return left;
      next();
      left = check_type(std::move(left), first, lv.operand_type, token.text);
      if (!left) return left;
      Result<ExprNode> right =
          check_type(parse_level(level + 1, depth), token, lv.operand_type, token.text);
      if (!right) return right;
      ExprNode node{*op, lv.result_type, 0, {}, {}};
      node.operands.push_back(std::move(*left));
      node.operands.push_back(std::move(*right));
      left = std::move(node);
    }
  }

  Result<ExprNode> parse_unary(int depth) {
    if (depth > k_max_depth) return fail(peek(), "expression nested too deeply");
    const Token& token = peek();
    if (token.kind == TokenKind::op && (token.text == "-" || token.text == "!")) {
      next();
      const bool negate = token.text == "-";
      const ExprType want = negate ? ExprType::integer : ExprType::boolean;
      Result<ExprNode> operand = check_type(parse_unary(depth + 1), token, want, token.text);
      if (!operand) return operand;
      ExprNode node{negate ? ExprOp::negate : ExprOp::logical_not, want, 0, {}, {}};
      node.operands.push_back(std::move(*operand));
      return node;
    }
    return parse_primary(depth);
  }

  Result<ExprNode> parse_primary(int depth) {
    const Token& token = next();
    switch (token.kind) {
      case TokenKind::integer:
        return ExprNode{ExprOp::literal, ExprType::integer, token.value, {}, {}};
      case TokenKind::lparen: {
        Result<ExprNode> inner = parse_level(0, depth + 1);
        if (!inner) return inner;
        if (peek().kind != TokenKind::rparen) return fail(peek(), "expected ')'");
        next();
        return inner;
      }
      case TokenKind::identifier:
        if (peek().kind == TokenKind::lparen) return parse_call(token, depth);
        return parse_symbol(token);
      case TokenKind::end:
        return fail(token, "unexpected end of expression");
      default:
        return fail(token, "unexpected '" + token.text + "'");
    }
  }

  Result<ExprNode> parse_call(const Token& name, int depth) {
    std::optional<ExprOp> op;
    for (const auto& [fname, fop] : k_functions) {
      if (name.text == fname) op = fop;
    }
    if (!op) return fail(name, "unknown function '" + name.text + "' (min, max, ceil_div)");
    next();  // '('
    ExprNode node{*op, ExprType::integer, 0, {}, {}};
    for (int i = 0; i < 2; ++i) {
      const Token& arg_start = peek();
      Result<ExprNode> arg =
          check_type(parse_level(0, depth + 1), arg_start, ExprType::integer, name.text);
      if (!arg) return arg;
      node.operands.push_back(std::move(*arg));
      const TokenKind want = i == 0 ? TokenKind::comma : TokenKind::rparen;
      if (peek().kind != want) {
        return fail(peek(), name.text + " takes two arguments: expected '" +
                                (i == 0 ? std::string(",") : std::string(")")) + "'");
      }
      next();
    }
    return node;
  }

  Result<ExprNode> parse_symbol(const Token& token) {
    Result<Symbol> symbol = resolve_(token.text);
    if (!symbol) return fail(token, symbol.error().message);
    return ExprNode{ExprOp::symbol, ExprType::integer, 0, std::move(*symbol), {}};
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  const SymbolResolver& resolve_;
  std::size_t pos_ = 0;
};

void collect_symbols(const ExprNode& node, std::vector<Symbol>& out) {
  if (node.op == ExprOp::symbol) {
    for (const Symbol& s : out) {
      if (s == node.symbol) return;
    }
    out.push_back(node.symbol);
  }
  for (const ExprNode& operand : node.operands) collect_symbols(operand, out);
}

}  // namespace

std::vector<Symbol> Expression::symbols() const {
  std::vector<Symbol> out;
  collect_symbols(root, out);
  return out;
}

Result<Expression> parse_expression(std::string_view text, const SymbolResolver& resolve) {
  if (text.size() > k_max_text) {
    return make_error("expression of " + std::to_string(text.size()) +
                      " characters is longer than " + std::to_string(k_max_text) + " (starts \"" +
                      std::string(text.substr(0, 40)) + "...\")");
  }
  Result<std::vector<Token>> tokens = tokenize_expression(text);
  if (!tokens) return make_error(tokens.error().message + " in \"" + std::string(text) + "\"");
  if (tokens->size() > k_max_tokens) {
    return make_error("expression of " + std::to_string(tokens->size() - 1) +
                      " tokens is longer than " + std::to_string(k_max_tokens - 1) + " in \"" +
                      std::string(text) + "\"");
  }
  Parser parser(text, std::move(*tokens), resolve);
  Result<ExprNode> root = parser.parse();
  if (!root) return root.error();
  return Expression{std::string(text), std::move(*root)};
}

Expression integer_expression(std::int64_t value) {
  return Expression{std::to_string(value),
                    ExprNode{ExprOp::literal, ExprType::integer, value, {}, {}}};
}

}  // namespace aotc::launcher
