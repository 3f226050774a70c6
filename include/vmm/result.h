// Errors as values: every fallible libvmm call returns Result<T>. An Error carries a
// message that names the failing step (outermost context first) and the errno, if any.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace vmm {

class Error {
 public:
  explicit Error(std::string message, int sys_errno = 0)
      : message_(std::move(message)), sys_errno_(sys_errno) {}

  // "<what>: <strerror(errno)>" with the current errno.
  static Error from_errno(std::string_view what);
  static Error from_errno(std::string_view what, int sys_errno);

  const std::string& message() const noexcept { return message_; }
  int sys_errno() const noexcept { return sys_errno_; }

  // Prefixes the message with the outer step: "outer: inner".
  Error with_context(std::string_view outer) &&;

 private:
  std::string message_;
  int sys_errno_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  static_assert(!std::is_reference_v<T>, "Result<T&> is not supported");

  template <class U = T, class = std::enable_if_t<std::is_constructible_v<T, U&&>>>
  Result(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}       // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

  Result with_context(std::string_view outer) && {
    if (has_value()) return std::move(*this);
    return std::move(*this).error().with_context(outer);
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT

  bool has_value() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return has_value(); }
  void value() const {}

  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

  Result with_context(std::string_view outer) && {
    if (!failed_) return {};
    return std::move(error_).with_context(outer);
  }

 private:
  Error error_{std::string()};
  bool failed_ = false;
};

inline Result<void> ok() { return {}; }

}  // namespace vmm

// VMM_TRY(expr): evaluates a Result; on error returns the error from the enclosing
// function, else yields the value. VMM_TRY_CTX adds the step name as context.
// (GNU statement expressions: supported by both g++ and clang++.)
#define VMM_TRY(expr)                                              \
  ({                                                               \
    auto&& vmm_try_result_ = (expr);                               \
    if (!vmm_try_result_.has_value())                              \
      return std::move(vmm_try_result_).error();                   \
    std::move(vmm_try_result_).value();                            \
  })
#define VMM_TRY_CTX(expr, ctx)                                     \
  ({                                                               \
    auto&& vmm_try_result_ = (expr);                               \
    if (!vmm_try_result_.has_value())                              \
      return std::move(vmm_try_result_).error().with_context(ctx); \
    std::move(vmm_try_result_).value();                            \
  })
