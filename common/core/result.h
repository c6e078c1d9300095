// Errors as values. An Error carries one human-readable message that says what went wrong and
// where (file, JSON path, variant, target, device); callers add context as the error travels up
// with Error::with_context, so the final message reads outermost-first:
//   "build-matrix.json: kernels[0].axes.block_size.values[2]: expected integer, found \"64x\"".
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace aotc {

struct Error {
  std::string message;

  // Prefixes "context: " to the message; returns a new Error so it chains in return statements.
  Error with_context(std::string_view context) const {
    return Error{std::string(context) + ": " + message};
  }
};

inline Error make_error(std::string message) { return Error{std::move(message)}; }

// Either a value or an Error. Deliberately tiny: C++20 has no std::expected.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Success-or-Error for operations that produce nothing.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), failed_(true) {}
  static Status success() { return Status(); }

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool failed_ = false;
};

}  // namespace aotc
