// Image: a boot image (ELF) read, validated and prepared once, then booted by any number
// of instances. Preparing lays the image's segments (and, per machine layout, the boot
// tables) into a sealed memfd that every instance maps copy-on-write: nothing is copied
// per start and text pages stay shared. Thread-safe; share it as shared_ptr<const Image>.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vmm/result.h"

namespace vmm {

enum class BootProtocol {
  Auto,       // choose from the image: libvmm note, else PVH note, else multiboot, else Linux
  Lean,       // libvmm's own ABI (docs/guest-abi.md)
  Linux64,    // Linux x86 64-bit boot protocol (Documentation/arch/x86/boot.rst)
  Pvh,        // Xen PVH (XEN_ELFNOTE_PHYS32_ENTRY)
  Multiboot,  // Multiboot 0.6.96
};
const char* to_string(BootProtocol protocol);

struct ImageOptions {
  BootProtocol protocol = BootProtocol::Auto;
};

struct ImageInternals;  // libvmm-private: parsed ELF, template cache

class Image {
 public:
  // Reads and validates the ELF at `path`. Errors name the path and the defect.
  static Result<std::shared_ptr<const Image>> open(const std::string& path, ImageOptions options = {});
  // The same from bytes in memory; `name` labels errors and summaries.
  static Result<std::shared_ptr<const Image>> from_bytes(std::string name, std::vector<std::byte> bytes,
                                                         ImageOptions options = {});
  ~Image();

  const std::string& name() const;  // file name without directories
  const std::string& path() const;  // as opened ("" for from_bytes)
  BootProtocol protocol() const;    // the protocol that will be used (never Auto)
  uint64_t entry() const;
  uint64_t load_start() const;      // lowest guest-physical address loaded
  uint64_t load_end() const;        // one past the highest
  size_t file_size() const;

  ImageInternals& internals() const { return *internals_; }

 private:
  explicit Image(std::unique_ptr<ImageInternals> internals);
  std::unique_ptr<ImageInternals> internals_;
};

}  // namespace vmm
