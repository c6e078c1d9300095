// Message building without std::format (g++ 12's libstdc++ lacks <format>): concat("section ", i,
// ": offset ", off) streams each piece in order. Integers print in decimal.
#pragma once

#include <sstream>
#include <string>

namespace aotc::codeobj {

template <class... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

}  // namespace aotc::codeobj
