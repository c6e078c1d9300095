// The walk keeps a stack of "values still expected" per open container instead of recursing, so
// its own stack use is constant; each container's count is checked against the bytes remaining
// (every value takes at least one byte), so a forged count cannot make anything large.
#include "codeobj/msgpack_decode.h"

#include <vector>

#include "codeobj/byte_reader.h"
#include "codeobj/concat.h"

namespace aotc::codeobj {
namespace {

std::uint64_t read_be(std::span<const std::uint8_t> bytes, std::uint64_t at, int width) {
  std::uint64_t v = 0;
  for (int i = 0; i < width; ++i) v = (v << 8) | bytes[at + i];
  return v;
}

Error msgpack_error(std::uint64_t at, std::string_view what) {
  return make_error(concat("msgpack: offset ", at, ": ", what));
}

}  // namespace

Status check_msgpack(std::span<const std::uint8_t> bytes, int max_depth) {
  std::vector<std::uint64_t> expected{1};  // values still to read at each open level
  std::uint64_t at = 0;
  while (!expected.empty()) {
    if (expected.back() == 0) {
      expected.pop_back();
      continue;
    }
    --expected.back();
    if (at >= bytes.size()) return msgpack_error(at, "truncated: value expected");
    const std::uint8_t tag = bytes[at];
    const std::uint64_t tag_at = at;
    ++at;
    std::uint64_t payload = 0;  // bytes after the tag and its length field
    std::uint64_t children = 0;
    int length_width = 0;  // width of a big-endian length field that follows the tag
    int extra = 0;         // fixed bytes between length and payload (ext type byte)
    bool is_container = false;
    bool is_map = false;
    if (tag <= 0x7f || tag >= 0xe0 || tag == 0xc0 || tag == 0xc2 || tag == 0xc3) {
      // fixint, nil, bool: tag only
    } else if (tag >= 0x80 && tag <= 0x8f) {
      is_container = is_map = true;
      children = tag & 0x0f;
    } else if (tag >= 0x90 && tag <= 0x9f) {
      is_container = true;
      children = tag & 0x0f;
    } else if (tag >= 0xa0 && tag <= 0xbf) {
      payload = tag & 0x1f;
    } else {
      switch (tag) {
        case 0xc4:
        case 0xd9:
          length_width = 1;
          break;  // bin8, str8
        case 0xc5:
        case 0xda:
          length_width = 2;
          break;  // bin16, str16
        case 0xc6:
        case 0xdb:
          length_width = 4;
          break;  // bin32, str32
        case 0xc7:
          length_width = 1;
          extra = 1;
          break;  // ext8
        case 0xc8:
          length_width = 2;
          extra = 1;
          break;  // ext16
        case 0xc9:
          length_width = 4;
          extra = 1;
          break;  // ext32
        case 0xca:
          payload = 4;
          break;  // float32
        case 0xcb:
          payload = 8;
          break;  // float64
        case 0xcc:
        case 0xd0:
          payload = 1;
          break;
        case 0xcd:
        case 0xd1:
          payload = 2;
          break;
        case 0xce:
        case 0xd2:
          payload = 4;
          break;
        case 0xcf:
        case 0xd3:
          payload = 8;
          break;
        case 0xd4:
          payload = 2;
          break;  // fixext1..16: type + data
        case 0xd5:
          payload = 3;
          break;
        case 0xd6:
          payload = 5;
          break;
        case 0xd7:
          payload = 9;
          break;
        case 0xd8:
          payload = 17;
          break;
        case 0xdc:
          is_container = true;
          length_width = 2;
          break;
        case 0xdd:
          is_container = true;
          length_width = 4;
          break;
        case 0xde:
          is_container = is_map = true;
          length_width = 2;
          break;
        case 0xdf:
          is_container = is_map = true;
          length_width = 4;
          break;
        default:
          return msgpack_error(tag_at, concat("invalid type byte 0x", std::hex, int(tag)));
      }
    }
    if (length_width > 0) {
      if (!range_fits(at, length_width, bytes.size())) {
        return msgpack_error(tag_at, "truncated length field");
      }
      std::uint64_t n = read_be(bytes, at, length_width);
      at += length_width;
      if (is_container) {
        children = n;
      } else {
        payload = n + extra;
      }
    }
    if (is_container) {
      if (is_map) children *= 2;  // at most 2 * 2^32: no overflow
      if (children > bytes.size() - at) {
        return msgpack_error(tag_at, concat("container claims ", children, " values but only ",
                                            bytes.size() - at, " bytes remain"));
      }
      if (children > 0) {
        if (static_cast<int>(expected.size()) >= max_depth) {
          return msgpack_error(tag_at, concat("nested deeper than ", max_depth, " levels"));
        }
        expected.push_back(children);
      }
    } else {
      if (!range_fits(at, payload, bytes.size())) {
        return msgpack_error(tag_at, concat("value of ", payload, " bytes overruns the data"));
      }
      at += payload;
    }
  }
  if (at != bytes.size()) {
    return msgpack_error(at, concat(bytes.size() - at, " trailing bytes after the value"));
  }
  return Status::success();
}

Result<nlohmann::json> decode_msgpack(std::span<const std::uint8_t> bytes) {
  if (auto st = check_msgpack(bytes); !st) return st.error();
  try {
    return nlohmann::json::from_msgpack(bytes.begin(), bytes.end());
  } catch (const nlohmann::json::exception& e) {
    return make_error(concat("msgpack: ", e.what()));
  }
}

}  // namespace aotc::codeobj
