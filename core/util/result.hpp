// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace offload {

/// Why something failed: one line saying what was wrong, where, and what
/// was expected. Reported once, by whoever stops the program or the batch.
struct Error {
  std::string message;
  /// An OFFLOAD_E* value (negative, errno-like) when a plugin call or a
  /// system call failed, 0 when nothing more specific is known. Callers
  /// decide on it whether a retry elsewhere is worth it.
  int32_t code = 0;
};

/// Either a value or an Error. Core code returns these instead of throwing.
template <class T>
class [[nodiscard]] Result {
public:
  Result(T value) : m_v(std::move(value)) {}
  Result(Error error) : m_v(std::move(error)) {}

  bool ok() const noexcept { return std::holds_alternative<T>(m_v); }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<T>(m_v); }
  const T& value() const& { return std::get<T>(m_v); }
  T&& value() && { return std::get<T>(std::move(m_v)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<Error>(m_v); }
  Error&& error() && { return std::get<Error>(std::move(m_v)); }

private:
  std::variant<T, Error> m_v;
};

/// Success or an Error, for operations without a value.
class [[nodiscard]] Status {
public:
  Status() = default;
  Status(Error error) : m_error(std::move(error)), m_failed(true) {}

  bool ok() const noexcept { return !m_failed; }
  explicit operator bool() const noexcept { return ok(); }
  const Error& error() const { return m_error; }

private:
  Error m_error;
  bool m_failed = false;
};

/// Builds an Error from string pieces.
template <class... Parts>
Error make_error(Parts&&... parts) {
  std::string msg;
  (msg += ... += std::string(std::forward<Parts>(parts)));
  return Error{std::move(msg)};
}

} // namespace offload
