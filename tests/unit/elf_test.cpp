// ELF loader: one valid image, then one malformed fixture per check, each asserting the
// exact error text the user sees.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "elf_builder.h"
#include "loader/elf.h"
#include "vmm/image.h"

using namespace vmm;
using vmm::test::ElfBuilder;
using vmm::test::poke;
using vmm::test::SegmentSpec;

namespace {

ElfBuilder lean_image() {
  ElfBuilder b;
  b.entry(0x100000).segment({}).lean_note();
  return b;
}

std::string parse_error(const std::vector<std::byte>& file) {
  auto r = parse_elf(file);
  REQUIRE_FALSE(r);
  return r.error().message();
}

std::string image_error(std::vector<std::byte> file, BootProtocol protocol = BootProtocol::Auto) {
  auto r = Image::from_bytes("test.elf", std::move(file), {protocol});
  REQUIRE_FALSE(r);
  return r.error().message();
}

}  // namespace

TEST_CASE("A well-formed lean image parses") {
  auto file = lean_image().build();
  auto elf = parse_elf(file);
  REQUIRE(elf);
  CHECK(elf->elf_class == 64);
  CHECK(elf->entry == 0x100000);
  REQUIRE(elf->loads.size() == 1);
  CHECK(elf->load_start == 0x100000);
  CHECK(elf->load_end == 0x100100);
  REQUIRE(elf->find_note("libvmm", 0x4c454e31) != nullptr);
  auto image = Image::from_bytes("t.elf", file);
  REQUIRE(image);
  CHECK((*image)->protocol() == BootProtocol::Lean);
}

TEST_CASE("ElfTooSmallForHeader") {
  std::vector<std::byte> file(10, std::byte{0});
  CHECK(parse_error(file) == "ELF: file is too small for an ELF header (10 bytes)");
}

TEST_CASE("ElfBadMagic") {
  auto file = lean_image().build();
  file[1] = std::byte{'X'};
  CHECK(parse_error(file) == "ELF: bad magic (not an ELF file)");
}

TEST_CASE("ElfBigEndianRejected") {
  auto file = lean_image().build();
  file[EI_DATA] = std::byte{ELFDATA2MSB};
  CHECK(parse_error(file) == "ELF: not little-endian (EI_DATA must be ELFDATA2LSB)");
}

TEST_CASE("ElfUnknownClass") {
  auto file = lean_image().build();
  file[EI_CLASS] = std::byte{3};
  CHECK(parse_error(file) == "ELF: unsupported class 3 (expected ELFCLASS32 or ELFCLASS64)");
}

TEST_CASE("ElfPositionIndependentRejected") {
  auto file = lean_image().build();
  poke(file, offsetof(Elf64_Ehdr, e_type), ET_DYN, 2);
  CHECK(parse_error(file) == "ELF: position-independent image (ET_DYN) is not supported; link with -no-pie");
}

TEST_CASE("ElfWrongMachine") {
  auto file = lean_image().build();
  poke(file, offsetof(Elf64_Ehdr, e_machine), EM_AARCH64, 2);
  CHECK(parse_error(file) == "ELF: e_machine 183 is not x86-64 (expected 62)");
}

TEST_CASE("ElfProgramHeaderSizeWrong") {
  auto file = lean_image().build();
  poke(file, offsetof(Elf64_Ehdr, e_phentsize), 40, 2);
  CHECK(parse_error(file) == "ELF: e_phentsize 40 (expected 56)");
}

TEST_CASE("ElfNoProgramHeaders") {
  auto file = lean_image().build();
  poke(file, offsetof(Elf64_Ehdr, e_phnum), 0, 2);
  CHECK(parse_error(file) == "ELF: no program headers");
}

TEST_CASE("ElfProgramHeadersPastEndOfFile") {
  auto file = lean_image().build();
  poke(file, offsetof(Elf64_Ehdr, e_phoff), file.size() - 8, 8);
  CHECK(parse_error(file) == fmt::format("ELF: program headers at {:#x} (112 bytes) extend past the end of the file ({} bytes)",
                                         file.size() - 8, file.size()));
}

TEST_CASE("ElfProgramHeaderOffsetOverflow") {
  auto file = lean_image().build();
  poke(file, offsetof(Elf64_Ehdr, e_phoff), UINT64_MAX - 8, 8);
  CHECK(parse_error(file) ==
        fmt::format("ELF: program headers at {:#x} (112 bytes) extend past the end of the file ({} bytes)",
                    UINT64_MAX - 8, file.size()));
}

TEST_CASE("ElfSegmentFileSizeExceedsMemorySize") {
  ElfBuilder b;
  SegmentSpec s;
  s.filesz = 0x200;
  s.memsz = 0x100;
  b.segment(s).lean_note();
  CHECK(parse_error(b.build()) == "ELF: segment 0: file size 0x200 exceeds memory size 0x100");
}

TEST_CASE("ElfSegmentFileRangePastEndOfFile") {
  auto b = lean_image();
  auto file = b.build();
  poke(file, b.phdr_offset(0) + offsetof(Elf64_Phdr, p_offset), 0x10000, 8);
  CHECK(parse_error(file) == fmt::format("ELF: segment 0: file range [0x10000, 0x10100) extends past the end of the "
                                         "file ({} bytes)", file.size()));
}

TEST_CASE("ElfSegmentFileOffsetOverflow") {
  auto b = lean_image();
  auto file = b.build();
  poke(file, b.phdr_offset(0) + offsetof(Elf64_Phdr, p_offset), UINT64_MAX - 0x10, 8);
  CHECK(parse_error(file) == "ELF: segment 0: file offset 0xffffffffffffffef + size 0x100 overflows");
}

TEST_CASE("ElfSegmentMemoryRangeOverflow") {
  ElfBuilder b;
  SegmentSpec s;
  s.paddr = s.vaddr = UINT64_MAX - 0x10;
  b.segment(s);
  CHECK(parse_error(b.build()) == "ELF: segment 0: memory range at 0xffffffffffffffef of 0x100 bytes overflows");
}

TEST_CASE("ElfOverlappingSegments") {
  ElfBuilder b;
  SegmentSpec a, c;
  a.paddr = a.vaddr = 0x100000;
  a.memsz = a.filesz = 0x2000;
  c.paddr = c.vaddr = 0x101000;
  b.segment(a).segment(c);
  CHECK(parse_error(b.build()) == "ELF: segments 0 [0x100000, 0x102000) and 1 [0x101000, 0x101100) overlap");
}

TEST_CASE("ElfUnsortedAndEmptySegmentsAreAccepted") {
  ElfBuilder b;
  SegmentSpec high, low, empty;
  high.paddr = high.vaddr = 0x200000;
  low.paddr = low.vaddr = 0x100000;
  empty.paddr = empty.vaddr = 0x300000;
  empty.filesz = empty.memsz = 0;
  b.segment(high).segment(empty).segment(low);
  auto elf = parse_elf(b.build());
  REQUIRE(elf);
  CHECK(elf->loads.size() == 2);
  CHECK(elf->load_start == 0x100000);
  CHECK(elf->load_end == 0x200100);
}

TEST_CASE("ElfInterpreterRejected") {
  ElfBuilder b;
  SegmentSpec interp;
  interp.type = PT_INTERP;
  b.segment({}).segment(interp);
  CHECK(parse_error(b.build()) == "ELF: segment 1: PT_INTERP: dynamically linked images are not supported");
}

TEST_CASE("ElfDynamicSectionRejected") {
  ElfBuilder b;
  SegmentSpec dyn;
  dyn.type = PT_DYNAMIC;
  b.segment({}).segment(dyn);
  CHECK(parse_error(b.build()) == "ELF: segment 1: PT_DYNAMIC: link the image statically");
}

TEST_CASE("ElfNoLoadableSegment") {
  ElfBuilder b;
  SegmentSpec empty;
  empty.filesz = empty.memsz = 0;
  b.segment(empty);
  CHECK(parse_error(b.build()) == "ELF: no loadable segment (PT_LOAD with a non-zero size)");
}

TEST_CASE("ElfTruncatedNote") {
  auto b = lean_image();
  auto file = b.build();
  // Claim a descriptor far larger than the note segment.
  const size_t note_phdr = b.phdr_offset(1);
  uint64_t seg_offset;
  std::memcpy(&seg_offset, file.data() + note_phdr + offsetof(Elf64_Phdr, p_offset), 8);
  poke(file, seg_offset + 4, 0x1000, 4);
  CHECK(parse_error(file) == fmt::format("ELF: segment 1: note at {:#x} (name 7 bytes, descriptor 4096 bytes) extends "
                                         "past the segment end {:#x}", seg_offset, seg_offset + 28));
}

TEST_CASE("Elf32SegmentAbove4GiBRejected") {
  ElfBuilder b(32);
  SegmentSpec s;
  s.paddr = s.vaddr = 0xffffff00;
  s.memsz = 0x200;
  s.filesz = 0x100;
  b.segment(s);
  CHECK(parse_error(b.build()) == "ELF: segment 0: [0xffffff00, 0x100000100) does not fit in 32 bits");
}

TEST_CASE("Elf32WithWrongMachine") {
  ElfBuilder b(32);
  b.segment({});
  auto file = b.build();
  poke(file, offsetof(Elf32_Ehdr, e_machine), EM_X86_64, 2);
  CHECK(parse_error(file) == "ELF: e_machine 62 is not i386 (expected 3)");
}

TEST_CASE("LeanImageWithoutNoteWhenLeanIsForced") {
  ElfBuilder b;
  b.segment({});
  CHECK(image_error(b.build(), BootProtocol::Lean) == "lean ABI: the image has no libvmm ABI note");
}

TEST_CASE("LeanImageWithFutureAbiVersion") {
  ElfBuilder b;
  b.segment({}).lean_note(7);
  CHECK(image_error(b.build()) == "lean ABI: image wants ABI version 7, this libvmm provides 1");
}

TEST_CASE("LeanImageSegmentOverlapsVmmArea") {
  ElfBuilder b;
  SegmentSpec s;
  s.paddr = s.vaddr = 0x8000;
  b.entry(0x8000).segment(s).lean_note();
  CHECK(image_error(b.build()) ==
        "lean ABI: segment 0 at [0x8000, 0x8100) overlaps the VMM area below 0x100000");
}

TEST_CASE("LeanImageNotIdentityMapped") {
  ElfBuilder b;
  SegmentSpec s;
  s.vaddr = 0xffffffff80000000;
  b.segment(s).lean_note();
  CHECK(image_error(b.build()) ==
        "lean ABI: segment 0 is not identity-mapped (vaddr 0xffffffff80000000 != paddr 0x100000)");
}

TEST_CASE("LeanImageEntryOutsideExecutableSegment") {
  ElfBuilder b;
  SegmentSpec s;
  s.flags = PF_R | PF_W;
  b.segment(s).lean_note();
  CHECK(image_error(b.build()) == "lean ABI: entry point 0x100000 is not in an executable segment");
}

TEST_CASE("ImageOpenNamesAMissingFile") {
  auto r = Image::open("/nonexistent/image.elf");
  REQUIRE_FALSE(r);
  CHECK(r.error().message() == "cannot open image /nonexistent/image.elf: No such file or directory");
}

TEST_CASE("ImageOpenPrefixesThePath") {
  char path[] = "/tmp/vmm-elf-test-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, "#!/bin/sh\necho not an ELF image\n", 32) == 32);
  close(fd);
  auto r = Image::open(path);
  unlink(path);
  REQUIRE_FALSE(r);
  CHECK(r.error().message() == fmt::format("image {}: ELF: bad magic (not an ELF file)", path));
}

TEST_CASE("ImageOpenRejectsADirectory") {
  auto r = Image::open("/tmp");
  REQUIRE_FALSE(r);
  CHECK(r.error().message() == "image /tmp is not a regular file");
}
