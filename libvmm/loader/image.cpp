#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "loader/image_internals.h"
#include "vmm/image.h"
#include "vmm/unique_fd.h"

namespace vmm {
namespace {

Result<std::vector<std::byte>> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::from_errno(fmt::format("cannot open image {}", path));
  UniqueFd owned(fd);
  struct stat st;
  if (::fstat(fd, &st) < 0) return Error::from_errno(fmt::format("cannot stat image {}", path));
  if (!S_ISREG(st.st_mode)) return Error(fmt::format("image {} is not a regular file", path));
  if (static_cast<uint64_t>(st.st_size) > kElfMaxFileSize) {
    return Error(fmt::format("image {} is too large ({} bytes)", path, st.st_size));
  }
  std::vector<std::byte> bytes(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(fmt::format("cannot read image {}", path));
    if (n == 0) break;  // file shrank while reading
    done += static_cast<size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

const char* to_string(BootProtocol protocol) {
  switch (protocol) {
    case BootProtocol::Auto: return "auto";
    case BootProtocol::Lean: return "lean";
    case BootProtocol::Linux64: return "linux";
    case BootProtocol::Pvh: return "pvh";
    case BootProtocol::Multiboot: return "multiboot";
  }
  return "?";
}

Image::Image(std::unique_ptr<ImageInternals> internals) : internals_(std::move(internals)) {}
Image::~Image() = default;

Result<std::shared_ptr<const Image>> Image::open(const std::string& path, ImageOptions options) {
  auto bytes = read_file(path);
  if (!bytes) return std::move(bytes).error();
  auto image = from_bytes(base_name(path), std::move(*bytes), options);
  if (!image) return std::move(image).error().with_context(fmt::format("image {}", path));
  (*image)->internals_->path = path;
  return image;
}

Result<std::shared_ptr<const Image>> Image::from_bytes(std::string name, std::vector<std::byte> bytes,
                                                       ImageOptions options) {
  auto in = std::make_unique<ImageInternals>();
  in->name = std::move(name);
  in->bytes = std::move(bytes);
  in->elf = VMM_TRY(parse_elf(in->bytes));
  in->protocol = options.protocol == BootProtocol::Auto ? detect_boot_protocol(in->elf, in->bytes) : options.protocol;
  in->driver = VMM_TRY(boot_driver_for(in->protocol));
  VMM_TRY(in->driver->validate_image(*in));
  return std::shared_ptr<const Image>(new Image(std::move(in)));
}

const std::string& Image::name() const { return internals_->name; }
const std::string& Image::path() const { return internals_->path; }
BootProtocol Image::protocol() const { return internals_->protocol; }
uint64_t Image::entry() const { return internals_->elf.entry; }
uint64_t Image::load_start() const { return internals_->elf.load_start; }
uint64_t Image::load_end() const { return internals_->elf.load_end; }
size_t Image::file_size() const { return internals_->bytes.size(); }

Result<std::shared_ptr<const BootTemplate>> ImageInternals::template_for(const MachineLayout& layout) {
  std::lock_guard lock(mutex_);
  auto it = templates_.find(layout);
  if (it != templates_.end()) return it->second;
  auto t = VMM_TRY(driver->build_template(*this, layout));
  templates_.emplace(layout, t);
  return t;
}

}  // namespace vmm
