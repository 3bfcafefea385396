// Result<T>: a value or an error message, the way errors cross module boundaries.
//
// Error policy (see README "Code conventions"): components return Result; a parser may use a
// private exception to unwind from deep inside its own translation unit, but catches it at its
// public entry point. Only the CLI turns errors into exit codes.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace ckptlint {

struct Error {
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}   // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

inline Error makeError(std::string message) { return Error{std::move(message)}; }

}  // namespace ckptlint
