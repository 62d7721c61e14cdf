// A value or an error message, for failures that are expected (bad input, missing files, refused
// paths). Exceptions are reserved for programming errors and library faults, and are caught only at
// the tool registry and at thread entry points.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace benchtop {

// An expected failure: a message written for the caller (often a language model), plus an optional
// machine-readable code so callers can branch without parsing text.
struct Error {
  std::string message;
  std::string code;  // e.g. "not_found", "exists", "invalid_path"; empty when unclassified

  static Error make(std::string message, std::string code = {}) {
    return Error{std::move(message), std::move(code)};
  }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

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
  Error&& take_error() { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }
  Error&& take_error() { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace benchtop
