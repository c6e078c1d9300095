#include "matrix/problems.h"

namespace aotc {

namespace {

using OrderedJson = nlohmann::ordered_json;

// Appends the compact JSON of a scalar (a string cut to `limit` characters first, so escaping a
// huge string costs no more than the excerpt needs). replace: a message must never throw on odd
// bytes.
void append_scalar(const OrderedJson& value, std::size_t limit, std::string& out) {
  if (value.is_string() && value.get_ref<const std::string&>().size() > limit) {
    out += OrderedJson(value.get_ref<const std::string&>().substr(0, limit))
               .dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
    return;
  }
  out += value.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

}  // namespace

std::string json_excerpt(const OrderedJson& value, std::size_t max_length) {
  // The same text as value.dump() would start with, written with an explicit stack and stopped
  // once it is long enough: dump() recurses once per nesting level and writes everything.
  struct Frame {
    const OrderedJson* container;
    OrderedJson::const_iterator next;
  };
  std::string text;
  std::vector<Frame> stack;
  auto visit = [&](const OrderedJson& node) {
    if (node.is_structured()) {
      text += node.is_object() ? '{' : '[';
      stack.push_back({&node, node.cbegin()});
    } else {
      append_scalar(node, max_length, text);
    }
  };
  visit(value);
  while (!stack.empty() && text.size() <= max_length) {
    Frame& frame = stack.back();
    if (frame.next == frame.container->cend()) {
      text += frame.container->is_object() ? '}' : ']';
      stack.pop_back();
      continue;
    }
    if (frame.next != frame.container->cbegin()) text += ',';
    auto element = frame.next++;
    if (frame.container->is_object()) {
      append_scalar(OrderedJson(element.key()), max_length, text);
      text += ':';
    }
    visit(*element);  // may grow the stack: `frame` is not used after this
  }
  if (text.size() > max_length) text = text.substr(0, max_length - 3) + "...";
  return text;
}

void Problems::expected(const JsonPath& where, std::string_view what,
                        const nlohmann::ordered_json& found) {
  expected_text(where, what, json_excerpt(found, kMaxFoundLength));
}

void Problems::expected_text(const JsonPath& where, std::string_view what, std::string_view found) {
  lines_.add(file_ + ": " + where.to_string() + ": expected " + std::string(what) + ", found " +
             std::string(found));
}

}  // namespace aotc
