#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "vmm/result.h"

namespace vmm {

Error Error::from_errno(std::string_view what) { return from_errno(what, errno); }

Error Error::from_errno(std::string_view what, int sys_errno) {
  return Error(fmt::format("{}: {}", what, std::strerror(sys_errno)), sys_errno);
}

Error Error::with_context(std::string_view outer) && {
  if (outer.empty()) return std::move(*this);
  return Error(fmt::format("{}: {}", outer, message_), sys_errno_);
}

}  // namespace vmm
