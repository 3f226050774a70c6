// Move-only owner of an mmap()ed range; unmaps on destruction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "vmm/result.h"

namespace vmm {

class Mapping {
 public:
  Mapping() = default;
  Mapping(void* base, size_t size) noexcept : base_(base), size_(size) {}
  Mapping(Mapping&& other) noexcept
      : base_(std::exchange(other.base_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  Mapping& operator=(Mapping&& other) noexcept {
    if (this != &other) {
      reset();
      base_ = std::exchange(other.base_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() { reset(); }

  // mmap(2) with the given arguments; `what` names the mapping in the error message.
  static Result<Mapping> map(const char* what, size_t size, int prot, int flags, int fd = -1,
                             off_t offset = 0, void* hint = nullptr);

  void* get() const noexcept { return base_; }
  std::byte* bytes() const noexcept { return static_cast<std::byte*>(base_); }
  size_t size() const noexcept { return size_; }
  std::span<std::byte> span() const noexcept { return {bytes(), size_}; }
  bool valid() const noexcept { return base_ != nullptr; }
  void reset() noexcept;

 private:
  void* base_ = nullptr;
  size_t size_ = 0;
};

}  // namespace vmm
