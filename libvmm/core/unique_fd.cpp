#include "vmm/unique_fd.h"

#include <unistd.h>

namespace vmm {

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);  // close(2) releases the fd even when it reports EINTR
  fd_ = fd;
}

}  // namespace vmm
