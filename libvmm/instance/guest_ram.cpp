#include "instance/guest_ram.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vector>

#include <fmt/format.h>

#include "vmm/unique_fd.h"

namespace vmm {

Result<GuestRam> GuestRam::create(uint64_t size, const BootTemplate& tmpl, bool huge_pages) {
  if (tmpl.size > size) {
    return Error(fmt::format("boot template ({} bytes) is larger than guest RAM ({} bytes)", tmpl.size, size));
  }
  Mapping map = VMM_TRY(Mapping::map("guest RAM", size, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE));
  if (tmpl.size > 0) {
    void* p = ::mmap(map.get(), tmpl.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE,
                     tmpl.memfd.get(), 0);
    if (p == MAP_FAILED) return Error::from_errno("mapping the boot template into guest RAM");
  }
  if (::madvise(map.get(), size, MADV_DONTFORK) < 0) return Error::from_errno("madvise(MADV_DONTFORK) on guest RAM");
  if (huge_pages) {
    if (::madvise(map.get(), size, MADV_HUGEPAGE) < 0) {
      return Error::from_errno("guest RAM in huge pages: madvise(MADV_HUGEPAGE) (has this kernel transparent huge "
                               "pages?)");
    }
  } else if (::madvise(map.get(), size, MADV_NOHUGEPAGE) < 0 && errno != EINVAL) {
    // EINVAL: a kernel without THP, where small pages are all there is.
    return Error::from_errno("madvise(MADV_NOHUGEPAGE) on guest RAM");
  }
  return GuestRam(std::move(map));
}

Result<uint64_t> GuestRam::resident_pages() const {
  int fd = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::from_errno("open /proc/self/pagemap");
  UniqueFd owned(fd);
  const uint64_t pages = size() / 4096;
  std::vector<uint64_t> entries(pages);
  const off_t offset = static_cast<off_t>(reinterpret_cast<uintptr_t>(host()) / 4096 * 8);
  ssize_t n = ::pread(fd, entries.data(), entries.size() * 8, offset);
  if (n < 0) return Error::from_errno("read /proc/self/pagemap");
  uint64_t present = 0;
  for (size_t i = 0; i < static_cast<size_t>(n) / 8; ++i) present += (entries[i] >> 63) & 1;
  return present;
}

}  // namespace vmm
