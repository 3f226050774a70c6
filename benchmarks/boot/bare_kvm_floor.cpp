#include "bare_kvm_floor.h"

#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "core/clock.h"

namespace vmm::bench {
namespace {

// Guest: `out %al, $0x80` at CPL3 (allowed by the TSS I/O bitmap), at 0x10000.
// Identity-mapped first 2 MiB (one large user page), flat 64-bit user segments.
void write_guest(uint8_t* mem) {
  auto* pml4 = reinterpret_cast<uint64_t*>(mem + 0x1000);
  auto* pdpt = reinterpret_cast<uint64_t*>(mem + 0x2000);
  auto* pd = reinterpret_cast<uint64_t*>(mem + 0x3000);
  pml4[0] = 0x2000 | 0x27;
  pdpt[0] = 0x3000 | 0x27;
  pd[0] = 0x0 | 0xe7;  // present, rw, user, accessed, dirty, 2 MiB
  auto* gdt = reinterpret_cast<uint64_t*>(mem + 0x500);
  gdt[3] = 0x00affb000000ffffull;  // user code 64
  gdt[4] = 0x00cff3000000ffffull;  // user data
  uint64_t tss = 0x600, limit = 0x68 + 0x11;
  gdt[5] = (limit & 0xffff) | ((tss & 0xffffff) << 16) | (0x8bull << 40);
  gdt[6] = 0;
  std::memset(mem + tss, 0, 0x68 + 0x12);
  *reinterpret_cast<uint16_t*>(mem + tss + 102) = 0x68;  // I/O bitmap right after the TSS
  mem[tss + 0x68 + 0x10] = 0xfe;                         // port 0x80 allowed
  std::memset(mem + tss + 0x68, 0xff, 0x10);
  mem[tss + 0x68 + 0x11] = 0xff;
  const uint8_t code[] = {0xe6, 0x80, 0xf4};  // out %al,$0x80; hlt
  std::memcpy(mem + 0x10000, code, sizeof code);
}

}  // namespace

FloorSample run_bare_floor(int kvm_fd, int run_mmap_size, bool tr_busy) {
  FloorSample s;
  constexpr size_t kMem = 2 << 20;
  const int64_t t0 = monotonic_ns();
  int vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
  if (vm < 0) return s;
  s.create_ns = monotonic_ns() - t0;
  void* mem = mmap(nullptr, kMem, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  write_guest(static_cast<uint8_t*>(mem));
  kvm_userspace_memory_region region{0, 0, 0, kMem, reinterpret_cast<uint64_t>(mem)};
  ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region);
  int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
  auto* run = static_cast<kvm_run*>(mmap(nullptr, static_cast<size_t>(run_mmap_size), PROT_READ | PROT_WRITE,
                                         MAP_SHARED, vcpu, 0));
  kvm_sregs sregs;
  ioctl(vcpu, KVM_GET_SREGS, &sregs);
  kvm_segment code{0, 0xffffffff, 0x1b, 11, 1, 3, 0, 1, 1, 1, 0, 0, 0};
  kvm_segment data{0, 0xffffffff, 0x23, 3, 1, 3, 1, 1, 0, 1, 0, 0, 0};
  sregs.cs = code;
  sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
  sregs.tr = {0x600, 0x68 + 0x11, 0x28, static_cast<uint8_t>(tr_busy ? 11 : 9), 1, 0, 0, 0, 0, 0, 0, 0, 0};
  sregs.gdt.base = 0x500;
  sregs.gdt.limit = 7 * 8 - 1;
  sregs.cr3 = 0x1000;
  sregs.cr4 = 0x20 | 0x200 | 0x400;
  sregs.cr0 = 0x80000033;
  sregs.efer = 0x500;
  ioctl(vcpu, KVM_SET_SREGS, &sregs);
  kvm_regs regs{};
  regs.rip = 0x10000;
  regs.rsp = 0x1ff000;
  regs.rflags = 2;
  ioctl(vcpu, KVM_SET_REGS, &regs);
  int r = ioctl(vcpu, KVM_RUN, 0);
  s.total_ns = monotonic_ns() - t0;
  s.ok = r == 0 && run->exit_reason == KVM_EXIT_IO && run->io.port == 0x80;
  const int64_t t1 = monotonic_ns();
  munmap(run, static_cast<size_t>(run_mmap_size));
  close(vcpu);
  close(vm);
  munmap(mem, kMem);
  s.teardown_ns = monotonic_ns() - t1;
  return s;
}

}  // namespace vmm::bench
