#include "virtio/io_loop.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

namespace vmm::virtio {

Result<std::shared_ptr<IoLoop>> IoLoop::shared() {
  // The one piece of process-wide state of the virtio layer: a weak reference, so the
  // loop lives exactly as long as some device uses it.
  static std::mutex mutex;
  static std::weak_ptr<IoLoop> current;
  static pid_t owner = 0;
  std::lock_guard lock(mutex);
  if (owner == ::getpid()) {
    if (auto loop = current.lock()) return loop;
  }
  auto loop = VMM_TRY(create());
  current = loop;
  owner = ::getpid();
  return loop;
}

Result<std::shared_ptr<IoLoop>> IoLoop::create() {
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll) return Error::from_errno("I/O loop: epoll_create1");
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake) return Error::from_errno("I/O loop: eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0;
  if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, wake.get(), &ev) < 0) return Error::from_errno("I/O loop: epoll_ctl");
  std::shared_ptr<IoLoop> loop(new IoLoop(std::move(epoll), std::move(wake)));
  // The thread takes no signals (vCPU kick signals are aimed at vCPU threads).
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  try {
    loop->thread_ = std::thread([raw = loop.get()] { raw->run(); });
  } catch (const std::system_error& e) {
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return Error(fmt::format("I/O loop: starting its thread: {}", e.what()));
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return loop;
}

IoLoop::~IoLoop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_.get(), &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

Result<uint64_t> IoLoop::add(int fd, Handler handler, bool enabled) {
  std::lock_guard lock(mutex_);
  const uint64_t id = next_id_++;
  epoll_event ev{};
  ev.events = enabled ? uint32_t{EPOLLIN} : 0u;
  ev.data.u64 = id;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) < 0) {
    return Error::from_errno(fmt::format("I/O loop: watching fd {}", fd));
  }
  handlers_.emplace(id, std::move(handler));
  return id;
}

void IoLoop::set_enabled(int fd, uint64_t id, bool enabled) {
  epoll_event ev{};
  ev.events = enabled ? uint32_t{EPOLLIN} : 0u;
  ev.data.u64 = id;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev);  // fails only if fd was removed: harmless
}

void IoLoop::remove(int fd, uint64_t id) {
  // Dispatch holds mutex_ while handlers run and looks each id up under it, so once the
  // entry is gone (under the lock) no call of it is running or can start. The fd is
  // removed explicitly: another fd may share its open file description (an adopted tap).
  std::lock_guard lock(mutex_);
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  handlers_.erase(id);
}

void IoLoop::run() {
  epoll_event events[64];
  for (;;) {
    const int n = ::epoll_wait(epoll_.get(), events, 64, -1);
    if (n < 0 && errno != EINTR) return;
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    for (int i = 0; i < n; ++i) {
      const uint64_t id = events[i].data.u64;  // copy: epoll_event is packed, the field misaligned
      auto it = handlers_.find(id);
      if (it != handlers_.end()) it->second();
    }
  }
}

}  // namespace vmm::virtio
