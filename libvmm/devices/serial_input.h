// A thread that feeds a Serial16550 from a file descriptor (a pipe, a tty, stdin) until
// EOF or destruction. It reads only when the UART's input buffer has room, so a guest
// that never reads does not make the VMM buffer without bound.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "vmm/result.h"
#include "vmm/unique_fd.h"

namespace vmm {

class Serial16550;

class SerialInput {
 public:
  // `fd` stays owned by the caller and must outlive this object.
  static Result<std::unique_ptr<SerialInput>> start(Serial16550& uart, int fd);
  // Stops and joins the thread.
  ~SerialInput();
  SerialInput(const SerialInput&) = delete;
  SerialInput& operator=(const SerialInput&) = delete;

 private:
  SerialInput(Serial16550& uart, int fd, UniqueFd stop);
  void run();

  Serial16550& uart_;
  int fd_;
  UniqueFd stop_;  // eventfd: wakes the thread's poll()
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace vmm
