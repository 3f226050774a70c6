#include "boot/standard/initrd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include <fmt/format.h>

#include "arch/x86_64/layout.h"
#include "arch/x86_64/memory_map.h"
#include "core/checked_math.h"
#include "vmm/unique_fd.h"

namespace vmm::standard_boot {

Result<InitrdPlacement> place_initrd(std::string_view path, uint64_t size, uint64_t lowest, uint64_t ram_size) {
  if (size == 0) return Error(fmt::format("initrd {} is empty", path));
  const uint64_t top = x86::low_ram_end(ram_size);
  const uint64_t floor = align_up(std::max(lowest, x86::standard::kHighMemory), x86::kPageSize);
  if (size > top || align_down(top - size, x86::kPageSize) < floor) {
    return Error(fmt::format("initrd {} ({} bytes) does not fit in guest RAM: {} bytes are free between the image "
                             "end {:#x} and the top of RAM {:#x}",
                             path, size, top > floor ? top - floor : 0, floor, top));
  }
  return InitrdPlacement{align_down(top - size, x86::kPageSize), size};
}

Result<InitrdPlacement> load_initrd(const GuestMemory& mem, std::string_view path, uint64_t lowest,
                                    uint64_t ram_size) {
  if (path.empty()) return InitrdPlacement{};
  const std::string name(path);
  int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::from_errno(fmt::format("cannot open initrd {}", name));
  UniqueFd owned(fd);
  struct stat st;
  if (::fstat(fd, &st) < 0) return Error::from_errno(fmt::format("cannot stat initrd {}", name));
  if (!S_ISREG(st.st_mode)) return Error(fmt::format("initrd {} is not a regular file", name));
  const InitrdPlacement where = VMM_TRY(place_initrd(path, static_cast<uint64_t>(st.st_size), lowest, ram_size));
  std::span<std::byte> target = VMM_TRY(mem.span(where.gpa, where.size));
  size_t done = 0;
  while (done < target.size()) {
    ssize_t n = ::pread(fd, target.data() + done, target.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(fmt::format("cannot read initrd {}", name));
    if (n == 0) return Error(fmt::format("initrd {} shrank while being read ({} of {} bytes)", name, done, where.size));
    done += static_cast<size_t>(n);
  }
  return where;
}

}  // namespace vmm::standard_boot
