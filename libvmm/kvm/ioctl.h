// ioctl(2) retried on EINTR, for KVM setup calls (not KVM_RUN, where EINTR is a kick).
#pragma once

#include <sys/ioctl.h>

#include <cerrno>

namespace vmm {

template <class Arg>
inline int kvm_ioctl(int fd, unsigned long request, Arg arg) {
  int r;
  do {
    r = ::ioctl(fd, request, arg);
  } while (r < 0 && errno == EINTR);
  return r;
}

}  // namespace vmm
