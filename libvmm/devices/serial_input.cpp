#include "devices/serial_input.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "devices/serial_16550.h"

namespace vmm {

Result<std::unique_ptr<SerialInput>> SerialInput::start(Serial16550& uart, int fd) {
  int stop = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop < 0) return Error::from_errno("eventfd for the serial input thread");
  std::unique_ptr<SerialInput> input(new SerialInput(uart, fd, UniqueFd(stop)));
  try {
    input->thread_ = std::thread([p = input.get()] { p->run(); });
  } catch (const std::system_error& e) {
    return Error(std::string("starting the serial input thread: ") + e.what(), e.code().value());
  }
  return input;
}

SerialInput::SerialInput(Serial16550& uart, int fd, UniqueFd stop) : uart_(uart), fd_(fd), stop_(std::move(stop)) {}

SerialInput::~SerialInput() {
  stopping_.store(true);
  const uint64_t one = 1;
  (void)::write(stop_.get(), &one, sizeof one);
  uart_.wake_waiters();
  if (thread_.joinable()) thread_.join();
}

void SerialInput::run() {
  std::array<uint8_t, 256> buffer;
  while (!stopping_.load()) {
    const size_t room = uart_.wait_for_room();
    if (stopping_.load()) return;
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if (fds[0].revents == 0) continue;
    // Read no more than is there, so a reader sharing the fd cannot leave us blocked in
    // read() (and the destructor waiting for us): FIONREAD, or one byte if unknown.
    int available = 0;
    if (::ioctl(fd_, FIONREAD, &available) < 0 || available <= 0) available = 1;
    const size_t want = std::min({room, buffer.size(), static_cast<size_t>(available)});
    const ssize_t n = ::read(fd_, buffer.data(), want);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return;  // EOF or error: the guest just sees no more input
    size_t done = 0;
    while (done < static_cast<size_t>(n) && !stopping_.load()) {
      done += uart_.push_input({buffer.data() + done, static_cast<size_t>(n) - done});
      if (done < static_cast<size_t>(n)) uart_.wait_for_room();
    }
  }
}

}  // namespace vmm
