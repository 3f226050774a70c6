#include "boot/boot_template.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

namespace vmm {

TemplateBuilder::TemplateBuilder(UniqueFd fd, Mapping map, uint64_t size)
    : fd_(std::move(fd)), map_(std::move(map)), size_(size), memory_(map_.bytes(), size) {}

Result<TemplateBuilder> TemplateBuilder::create(const char* name, uint64_t size) {
  int fd = ::memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return Error::from_errno("memfd_create for the boot template");
  UniqueFd owned(fd);
  if (::ftruncate(fd, static_cast<off_t>(size)) < 0) {
    return Error::from_errno(fmt::format("ftruncate boot template to {} bytes", size));
  }
  Mapping map = VMM_TRY(Mapping::map("boot template", size, PROT_READ | PROT_WRITE, MAP_SHARED, fd));
  return TemplateBuilder(std::move(owned), std::move(map), size);
}

Result<void> TemplateBuilder::load_segments(std::span<const std::byte> file, const ElfFile& elf) {
  for (const ElfSegment& s : elf.loads) {
    if (s.file_size == 0) continue;
    auto target = memory_.span(s.paddr, s.file_size);
    if (!target) return std::move(target).error().with_context(fmt::format("loading segment {}", s.index));
    std::memcpy(target->data(), file.data() + s.file_offset, s.file_size);  // range checked by parse_elf
  }
  return {};
}

Result<std::shared_ptr<BootTemplate>> TemplateBuilder::finish() {
  map_.reset();
  if (::fcntl(fd_.get(), F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0) {
    return Error::from_errno("sealing the boot template");
  }
  auto t = std::make_shared<BootTemplate>();
  t->memfd = std::move(fd_);
  t->size = size_;
  return t;
}

}  // namespace vmm
