// MessagePack decoding for untrusted input. nlohmann::json::from_msgpack recurses once per nesting
// level and trusts container counts (1 MB of nested one-element arrays overflowed the stack of an
// -O0 build), so we first walk the bytes iteratively, checking every length and count against the
// bytes left and capping the depth, and only then hand them to nlohmann (whose exceptions stop
// here).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>

#include "core/result.h"

namespace aotc::codeobj {

inline constexpr int kMaxMsgpackDepth = 64;

// Checks that `bytes` hold exactly one well-formed MessagePack value nested at most `max_depth`
// deep, with every length inside the buffer. Errors give the byte offset.
Status check_msgpack(std::span<const std::uint8_t> bytes, int max_depth = kMaxMsgpackDepth);

// check_msgpack, then nlohmann::json::from_msgpack; maps must have string keys.
Result<nlohmann::json> decode_msgpack(std::span<const std::uint8_t> bytes);

}  // namespace aotc::codeobj
