// IoLoop: one epoll thread that serves the virtio devices of standard guests (ioeventfd
// notifications, readable taps) for every instance of the process. See docs/io-model.md:
// a thread per queue per instance does not scale to 5,000 instances; one loop with a few
// fds per device does.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "vmm/result.h"
#include "vmm/unique_fd.h"

namespace vmm::virtio {

class IoLoop {
 public:
  // The process's shared loop: started on first use, stopped when its last user lets go.
  // A child after fork() gets a loop of its own.
  static Result<std::shared_ptr<IoLoop>> shared();
  static Result<std::shared_ptr<IoLoop>> create();
  ~IoLoop();
  IoLoop(const IoLoop&) = delete;
  IoLoop& operator=(const IoLoop&) = delete;

  using Handler = std::function<void()>;
  // Watches `fd` for readability (level-triggered); `handler` runs on the loop thread.
  // Returns the registration's id.
  Result<uint64_t> add(int fd, Handler handler, bool enabled = true);
  // Starts or stops watching a registration. Takes no lock: callable from a handler or
  // with a device's mutex held.
  void set_enabled(int fd, uint64_t id, bool enabled);
  // Unregisters; on return the handler is not running and never runs again. Must not be
  // called from a handler.
  void remove(int fd, uint64_t id);

 private:
  IoLoop(UniqueFd epoll, UniqueFd wake) : epoll_(std::move(epoll)), wake_(std::move(wake)) {}
  void run();

  UniqueFd epoll_;
  UniqueFd wake_;  // eventfd that ends run()
  std::thread thread_;
  std::mutex mutex_;  // guards handlers_; held while handlers run
  std::unordered_map<uint64_t, Handler> handlers_;
  uint64_t next_id_ = 1;  // 0 is the wake eventfd
  bool stopping_ = false;
};

}  // namespace vmm::virtio
