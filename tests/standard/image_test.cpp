// Standard boot protocols, image side: which protocol an image gets, and the exact error
// for each malformed image (no KVM needed).
#include <catch2/catch.hpp>

#include <cstring>

#include "elf_builder.h"
#include "loader/image_internals.h"
#include "vmm/image.h"

using namespace vmm;
using vmm::test::ElfBuilder;
using vmm::test::SegmentSpec;

namespace {

constexpr uint32_t kXenPhys32Entry = 18;

// A PT_LOAD at paddr (= vaddr unless given) with filesz/memsz bytes.
SegmentSpec seg(uint64_t paddr, uint64_t filesz = 0x100, uint64_t memsz = 0x100, std::vector<std::byte> content = {},
                uint64_t vaddr = 0) {
  SegmentSpec s;
  s.paddr = paddr;
  s.vaddr = vaddr ? vaddr : paddr;
  s.filesz = filesz;
  s.memsz = memsz;
  s.content = std::move(content);
  return s;
}

std::vector<std::byte> le(uint64_t v, size_t size) {
  std::vector<std::byte> out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<std::byte>(v >> (8 * i));
  return out;
}

// Multiboot header words (Multiboot 0.6.96 section 3.1), then some code bytes.
std::vector<std::byte> multiboot_content(uint32_t flags, std::vector<uint32_t> addresses = {},
                                         int32_t checksum_error = 0) {
  std::vector<uint32_t> words = {0x1badb002, flags, static_cast<uint32_t>(-(0x1badb002 + flags) + checksum_error)};
  words.insert(words.end(), addresses.begin(), addresses.end());
  std::vector<std::byte> out(0x100, std::byte{0x90});
  std::memcpy(out.data(), words.data(), words.size() * 4);
  return out;
}

// An ELF32 image whose one segment (at 0x100000) starts with `content`; ElfBuilder puts a
// lone segment's bytes at file offset 0x60, which the expected messages below name.
std::vector<std::byte> multiboot_image(std::vector<std::byte> content, uint64_t entry = 0x100040) {
  const uint64_t size = content.size();
  return ElfBuilder(32).entry(entry).segment(seg(0x100000, size, size, std::move(content))).build();
}

Result<std::shared_ptr<const Image>> open(std::vector<std::byte> file, BootProtocol protocol = BootProtocol::Auto) {
  return Image::from_bytes("test.elf", std::move(file), {protocol});
}

std::string error_of(std::vector<std::byte> file, BootProtocol protocol = BootProtocol::Auto) {
  auto r = open(std::move(file), protocol);
  REQUIRE_FALSE(r);
  return r.error().message();
}

std::string template_error(std::vector<std::byte> file, uint64_t ram, uint32_t vcpus = 1,
                           BootProtocol protocol = BootProtocol::Auto) {
  auto image = open(std::move(file), protocol);
  REQUIRE(image);
  auto t = (*image)->internals().template_for({ram, vcpus});
  REQUIRE_FALSE(t);
  return t.error().message();
}

}  // namespace

TEST_CASE("Protocol choice: explicit option, else PVH note, else multiboot header, else Linux 64-bit") {
  auto linux_image = ElfBuilder(64).segment({}).build();
  auto pvh_image = ElfBuilder(64).segment({}).note("Xen", kXenPhys32Entry, le(0x100000, 4)).build();
  auto mb_image = multiboot_image(multiboot_content(0x3));
  auto mb_and_pvh = ElfBuilder(32).entry(0x100040).segment(seg(0x100000, 0x100, 0x100, multiboot_content(0x3)))
                        .note("Xen", kXenPhys32Entry, le(0x100000, 4)).build();
  CHECK((*open(linux_image))->protocol() == BootProtocol::Linux64);
  CHECK((*open(pvh_image))->protocol() == BootProtocol::Pvh);
  CHECK((*open(mb_image))->protocol() == BootProtocol::Multiboot);
  CHECK((*open(mb_and_pvh))->protocol() == BootProtocol::Pvh);
  CHECK((*open(pvh_image, BootProtocol::Linux64))->protocol() == BootProtocol::Linux64);
  CHECK((*open(mb_and_pvh, BootProtocol::Multiboot))->protocol() == BootProtocol::Multiboot);
}

TEST_CASE("A magic with a bad checksum is no multiboot header: the image falls back to Linux 64-bit") {
  // Auto detection skips it; ELF32 then cannot boot as Linux 64-bit.
  CHECK(error_of(multiboot_image(multiboot_content(0x3, {}, 1))) ==
        "Linux 64-bit protocol: the image must be ELF64 (ELF32 images boot with multiboot or PVH)");
  CHECK(error_of(multiboot_image(multiboot_content(0x3, {}, 1)), BootProtocol::Multiboot) ==
        "multiboot: header at file offset 0x60: checksum 0xe4524ffc does not make magic + flags (0x3) + checksum zero");
}

TEST_CASE("MultibootNoHeader") {
  CHECK(error_of(ElfBuilder(32).segment({}).build(), BootProtocol::Multiboot) ==
        "multiboot: no header (magic 0x1badb002) in the first 8192 bytes");
}

TEST_CASE("MultibootUnknownRequiredFlags") {
  CHECK(error_of(multiboot_image(multiboot_content(0x8003))) ==
        "multiboot: header at file offset 0x60: flags 0x8003 require features 0x8000 this loader does not know");
}

TEST_CASE("MultibootVideoModeRequestIsAccepted") {
  // Flag 2 is defined; like QEMU we boot the image and give no video information.
  CHECK(open(multiboot_image(multiboot_content(0x7))));
}

TEST_CASE("MultibootAddressesOverrideTheElf") {
  // Flag 16: load [0x200000, +0x100) from the header's file position, BSS to 0x201000;
  // the ELF says 0x100000.
  auto image = open(multiboot_image(multiboot_content(0x10003, {0x200000, 0x200000, 0x200100, 0x201000, 0x200040})));
  REQUIRE(image);
  auto t = (*image)->internals().template_for({16 << 20, 1});
  REQUIRE(t);
  CHECK((*t)->entry == 0x200040);
  CHECK((*t)->size == 0x201000);
}

TEST_CASE("MultibootAddressesInAnElf64Image") {
  // Unikraft's x86-64 images for QEMU: ELF64 with a flag-16 header; the header decides.
  // A lone ELF64 segment's bytes sit at file offset 0x80.
  auto content = multiboot_content(0x10003, {0x100000, 0x100000, 0, 0x180000, 0x100040});
  auto file = ElfBuilder(64).entry(0x100040).segment(seg(0x100000, 0x100, 0x100, content)).build();
  auto image = open(file);
  REQUIRE(image);
  CHECK((*image)->protocol() == BootProtocol::Multiboot);
  auto t = (*image)->internals().template_for({16 << 20, 1});
  REQUIRE(t);
  CHECK((*t)->entry == 0x100040);
  CHECK((*t)->size == 0x180000);
}

TEST_CASE("MultibootLoadEndNotAboveLoad") {
  CHECK(error_of(multiboot_image(multiboot_content(0x10003, {0x100000, 0x100000, 0x100000, 0, 0x100040}))) ==
        "multiboot: header at file offset 0x60: load_end_addr 0x100000 is not above load_addr 0x100000");
}

TEST_CASE("MultibootLoadStartsBeforeTheFile") {
  CHECK(error_of(multiboot_image(multiboot_content(0x10003, {0x100000, 0x0f0000, 0, 0, 0x100040}))) ==
        "multiboot: header at file offset 0x60: load_addr 0xf0000 and header_addr 0x100000 put the load start "
        "before the beginning of the file");
}

TEST_CASE("MultibootLoadRangePastTheFile") {
  CHECK(error_of(multiboot_image(multiboot_content(0x10003, {0x100000, 0x100000, 0x200000, 0, 0x100040}))) ==
        "multiboot: header at file offset 0x60: load range [0x100000, 0x200000) needs 1048576 bytes from file "
        "offset 0x60; the file has 256");
}

TEST_CASE("MultibootBssBelowLoadEnd") {
  CHECK(error_of(multiboot_image(multiboot_content(0x10003, {0x100000, 0x100000, 0x100080, 0x100040, 0x100040}))) ==
        "multiboot: header at file offset 0x60: bss_end_addr 0x100040 lies below the end of the load 0x100080");
}

TEST_CASE("MultibootEntryOutsideTheLoad") {
  CHECK(error_of(multiboot_image(multiboot_content(0x10003, {0x100000, 0x100000, 0, 0, 0x300000}))) ==
        "multiboot: header at file offset 0x60: entry_addr 0x300000 is outside the loaded range [0x100000, 0x100100)");
}

TEST_CASE("MultibootAddressFieldsTruncated") {
  // The header sits in the last 12 bytes of the file: flag 16's fields are missing.
  std::vector<std::byte> content(0x40, std::byte{0});
  auto words = multiboot_content(0x10003);
  std::memcpy(content.data() + 0x34, words.data(), 12);
  CHECK(error_of(multiboot_image(content, 0x100000)) ==
        "multiboot: header at file offset 0x94: flag 16 is set but the address fields extend past the end of the file");
}

TEST_CASE("MultibootElfEntryInNoSegment") {
  CHECK(error_of(multiboot_image(multiboot_content(0x3), 0x500000)) ==
        "multiboot: ELF entry point 0x500000 is in no loaded segment");
}

TEST_CASE("MultibootElfEntryGivenVirtuallyIsTranslated") {
  // GRUB and QEMU accept an entry point given as a virtual address of a segment.
  auto image =
      open(ElfBuilder(32).entry(0xc0100040).segment(seg(0x100000, 0x100, 0x100, multiboot_content(0x3), 0xc0100000)).build());
  REQUIRE(image);
  auto t = (*image)->internals().template_for({16 << 20, 1});
  REQUIRE(t);
  CHECK((*t)->entry == 0x100040);
}

TEST_CASE("PvhNoteMissing") {
  CHECK(error_of(ElfBuilder(64).segment({}).build(), BootProtocol::Pvh) ==
        "PVH: the image has no XEN_ELFNOTE_PHYS32_ENTRY note (Xen, type 18)");
}

TEST_CASE("PvhNoteBadSize") {
  CHECK(error_of(ElfBuilder(64).segment({}).note("Xen", kXenPhys32Entry, le(0x100000, 2)).build()) ==
        "PVH: XEN_ELFNOTE_PHYS32_ENTRY has 2 bytes (expected 4 or 8)");
}

TEST_CASE("PvhNoteNot32Bit") {
  CHECK(error_of(ElfBuilder(64).segment({}).note("Xen", kXenPhys32Entry, le(0x100000000, 8)).build()) ==
        "PVH: XEN_ELFNOTE_PHYS32_ENTRY 0x100000000 is not a 32-bit address");
}

TEST_CASE("PvhNotePointsOutsideTheImage") {
  CHECK(error_of(ElfBuilder(64).segment({}).note("Xen", kXenPhys32Entry, le(0x500000, 8)).build()) ==
        "PVH: XEN_ELFNOTE_PHYS32_ENTRY 0x500000 points outside the loaded segments [0x100000, 0x100100)");
}

TEST_CASE("Linux64RejectsElf32") {
  CHECK(error_of(ElfBuilder(32).segment({}).build()) ==
        "Linux 64-bit protocol: the image must be ELF64 (ELF32 images boot with multiboot or PVH)");
}

TEST_CASE("Linux64SegmentInTheBootArea") {
  CHECK(error_of(ElfBuilder(64).entry(0x80000).segment(seg(0x80000)).build()) ==
        "Linux 64-bit protocol: segment 0 at [0x80000, 0x80100) overlaps the boot area below 0x100000");
}

TEST_CASE("Linux64SegmentInTheMmioGap") {
  CHECK(error_of(ElfBuilder(64).entry(0xbfffff00).segment(seg(0xbfffff00, 0x100, 0x200)).build()) ==
        "Linux 64-bit protocol: segment 0 at [0xbfffff00, 0xc0000100) extends past the MMIO gap at 0xc0000000");
}

TEST_CASE("Linux64EntryOutsideTheSegments") {
  CHECK(error_of(ElfBuilder(64).entry(0x200000).segment({}).build()) ==
        "Linux 64-bit protocol: entry point 0x200000 points outside the loaded segments [0x100000, 0x100100)");
}

TEST_CASE("EmptyAndUnsortedSegmentsLoad") {
  // Program headers out of address order, one of them empty: both load, BSS stays zero.
  auto file = ElfBuilder(64)
                  .entry(0x100000)
                  .segment(seg(0x300000, 0x10, 0x2000))
                  .segment(seg(0x200000, 0, 0))
                  .segment({})
                  .build();
  auto image = open(file);
  REQUIRE(image);
  CHECK((*image)->load_start() == 0x100000);
  CHECK((*image)->load_end() == 0x302000);
  CHECK((*image)->internals().template_for({16 << 20, 1}));
}

TEST_CASE("SegmentsOutsideRam") {
  auto file = ElfBuilder(64).segment(seg(0x100000, 0x100, 0x200000)).build();
  CHECK(template_error(file, 2 << 20) ==
        "Linux 64-bit protocol: segment 0 at [0x100000, 0x300000) extends past the end of guest RAM (2 MiB) at 0x200000");
  auto pvh = ElfBuilder(64).segment(seg(0x100000, 0x100, 0x200000)).note("Xen", kXenPhys32Entry, le(0x100000, 4)).build();
  CHECK(template_error(pvh, 2 << 20) ==
        "PVH: segment 0 at [0x100000, 0x300000) extends past the end of guest RAM (2 MiB) at 0x200000");
}

TEST_CASE("RamAboveTheMmioGapIsRejected") {
  CHECK(template_error(ElfBuilder(64).segment({}).build(), 4ull << 30) ==
        "Linux 64-bit protocol: 4096 MiB of guest RAM do not fit below the MMIO gap at 0xc0000000 (3072 MiB); RAM "
        "above the gap is not supported yet");
  CHECK(template_error(ElfBuilder(64).segment({}).build(), (2 << 20) + 100) ==
        "Linux 64-bit protocol: guest RAM must be a multiple of 4 KiB and at least 2 MiB, not 2097252 bytes");
}

TEST_CASE("TooManyVcpusForTheMpTable") {
  CHECK(template_error(ElfBuilder(64).segment({}).build(), 16 << 20, 255) ==
        "Linux 64-bit protocol: 255 vCPUs requested; the MP table describes 1 to 254");
}
