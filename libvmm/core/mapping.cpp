#include "vmm/mapping.h"

#include <sys/mman.h>

#include <fmt/format.h>

namespace vmm {

Result<Mapping> Mapping::map(const char* what, size_t size, int prot, int flags, int fd,
                             off_t offset, void* hint) {
  void* p = ::mmap(hint, size, prot, flags, fd, offset);
  if (p == MAP_FAILED) return Error::from_errno(fmt::format("mmap {} ({} bytes)", what, size));
  return Mapping(p, size);
}

void Mapping::reset() noexcept {
  if (base_ != nullptr) ::munmap(base_, size_);
  base_ = nullptr;
  size_ = 0;
}

}  // namespace vmm
