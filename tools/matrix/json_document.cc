#include "matrix/json_document.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "matrix/json_path.h"
#include "matrix/problems.h"

namespace aotc {
namespace {

using OrderedJson = nlohmann::ordered_json;

// Follows the parser's callback events to know the JSON path of every key, so a repeated key is
// reported where it is. Each open container is a frame; an array frame counts finished elements
// (the index of the element being parsed), an object frame remembers its keys.
class DuplicateKeyFinder {
 public:
  explicit DuplicateKeyFinder(Problems& problems) : problems_(problems) {}

  bool on_event(nlohmann::detail::parse_event_t event, const OrderedJson& parsed) {
    using Event = nlohmann::detail::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        frames_.push_back(Frame{event == Event::object_start, 0, {}, {}});
        break;
      case Event::key: {
        Frame& top = frames_.back();
        top.current_key = parsed.get<std::string>();
        if (!top.keys.insert(top.current_key).second) {
          problems_.expected_text(path_to_current(), "each key once per object",
                                  "a second " + json_excerpt(parsed, Problems::kMaxFoundLength));
        }
        break;
      }
      case Event::object_end:
      case Event::array_end:
        frames_.pop_back();
        finish_element();
        break;
      case Event::value:
        finish_element();
        break;
    }
    return true;  // keep every value: this pass only watches
  }

 private:
  struct Frame {
    bool is_object;
    std::size_t elements_done;
    std::string current_key;
    std::set<std::string> keys;
  };

  void finish_element() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().elements_done;
  }

  JsonPath path_to_current() const {
    JsonPath path;
    for (const Frame& frame : frames_) {
      path = frame.is_object ? path.key(frame.current_key) : path.index(frame.elements_done);
    }
    return path;
  }

  Problems& problems_;
  std::vector<Frame> frames_;
};

// The offset of the first container that nests deeper than kMaxJsonDepth or of the first key
// past kMaxJsonObjectKeys in one object, with what is wrong; nullopt when there is none. Only
// strings (with their escapes) and brackets matter here; the real parser judges the rest.
struct Excess {
  std::size_t offset;
  std::string what;
};
std::optional<Excess> find_excess(std::string_view text) {
  struct Open {
    bool is_object;
    std::size_t commas;
  };
  std::vector<Open> open;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '{':
      case '[':
        if (open.size() == kMaxJsonDepth) {
          return Excess{i, "nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels"};
        }
        open.push_back({c == '{', 0});
        break;
      case '}':
      case ']':
        if (!open.empty()) open.pop_back();
        break;
      case ',':
        if (!open.empty() && open.back().is_object && ++open.back().commas == kMaxJsonObjectKeys) {
          return Excess{i,
                        "an object with more than " + std::to_string(kMaxJsonObjectKeys) + " keys"};
        }
        break;
      default:
        break;
    }
  }
  return std::nullopt;
}

}  // namespace

TextPosition text_position(std::string_view text, std::size_t offset) {
  TextPosition position;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++position.line;
      position.column = 1;
    } else {
      ++position.column;
    }
  }
  return position;
}

Result<OrderedJson> parse_json_document(std::string_view text, std::string_view file) {
  if (std::optional<Excess> excess = find_excess(text)) {
    TextPosition at = text_position(text, excess->offset);
    return make_error(std::string(file) + ":" + std::to_string(at.line) + ":" +
                      std::to_string(at.column) + ": JSON too large to accept: " + excess->what);
  }
  Problems duplicates{std::string(file)};
  DuplicateKeyFinder finder(duplicates);
  OrderedJson document;
  // nlohmann reports syntax errors by exception; it is caught here, inside the module.
  try {
    document = OrderedJson::parse(
        text.begin(), text.end(),
        [&finder](int, nlohmann::detail::parse_event_t event, OrderedJson& parsed) {
          return finder.on_event(event, parsed);
        });
  } catch (const OrderedJson::parse_error& error) {
    // error.byte is 1-based: the position of the last byte read, where parsing stopped.
    TextPosition at = text_position(text, error.byte == 0 ? 0 : error.byte - 1);
    std::string reason = error.what();
    // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 5: ".
    if (auto colon = reason.find(": "); colon != std::string::npos)
      reason = reason.substr(colon + 2);
    return make_error(std::string(file) + ":" + std::to_string(at.line) + ":" +
                      std::to_string(at.column) + ": malformed JSON: " + reason);
  } catch (const OrderedJson::exception& error) {
    // The lexer throws out_of_range (no position) for numbers beyond double, e.g. 1e400.
    std::string reason = error.what();
    if (auto bracket = reason.find("] "); bracket != std::string::npos)
      reason = reason.substr(bracket + 2);
    return make_error(std::string(file) + ": malformed JSON: " + reason);
  }
  if (Status status = duplicates.status(); !status) return status.error();
  return document;
}

}  // namespace aotc
