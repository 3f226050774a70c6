#include "instance/kick.h"

#include <pthread.h>

#include <fmt/format.h>

namespace vmm {
namespace {
void ignore_kick(int) {}
}  // namespace

Result<int> prepare_kick_signal(int requested) {
  int signal = requested != 0 ? requested : SIGRTMIN;
  if (signal <= 0 || signal > SIGRTMAX || signal == SIGKILL || signal == SIGSTOP) {
    return Error(fmt::format("kick signal {} is not usable", signal));
  }
  struct sigaction current {};
  if (sigaction(signal, nullptr, &current) < 0) return Error::from_errno(fmt::format("sigaction({})", signal));
  if (current.sa_handler == SIG_DFL) {
    struct sigaction act {};
    act.sa_handler = ignore_kick;
    sigemptyset(&act.sa_mask);
    act.sa_flags = 0;  // no SA_RESTART: interrupted KVM_RUN/ppoll must return EINTR
    if (sigaction(signal, &act, nullptr) < 0) return Error::from_errno(fmt::format("sigaction({})", signal));
  } else if (current.sa_handler == SIG_IGN) {
    return Error(fmt::format("kick signal {} is ignored (SIG_IGN) in this process; choose another", signal));
  }
  return signal;
}

sigset_t block_kick_signal(int signal) {
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, signal);
  sigset_t old;
  pthread_sigmask(SIG_BLOCK, &block, &old);
  sigdelset(&old, signal);
  return old;
}

}  // namespace vmm
