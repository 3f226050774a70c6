#include "worker.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "host.h"
#include "protocol.h"
#include "start_syscalls.h"
#include "vmm/image.h"
#include "vmm/instance.h"
#include "vmm/kvm.h"

namespace coldstart {
namespace {

class Worker {
 public:
  explicit Worker(Channel channel) : channel_(std::move(channel)) {}

  int run() {
    for (;;) {
      auto msg = channel_.recv();
      if (!msg) return 0;  // the harness closed the channel (or died): tear down
      switch (msg->type) {
        case MsgType::Config: configure(*msg); break;
        case MsgType::Start: start(*msg); break;
        case MsgType::Query: query(); break;
        case MsgType::Quit: return 0;
        default: fmt::print(stderr, "worker {}: unexpected message {}\n", ::getpid(), static_cast<uint32_t>(msg->type));
      }
    }
  }

  ~Worker() {
    // kill() every instance first, so their vCPU threads end in parallel; the
    // destructors then only join and free.
    for (auto& inst : instances_) inst.instance->kill();
    instances_.clear();
  }

 private:
  // Resident guest pages counted on the vCPU thread at boot-ready (--pages-at-ready).
  struct ReadyPages {
    std::atomic<const vmm::Instance*> instance{nullptr};
    std::atomic<uint64_t> pages{0};
  };

  struct Hosted {
    uint32_t index;
    std::unique_ptr<vmm::Instance> instance;
    std::shared_ptr<ReadyPages> ready_pages;  // null unless --pages-at-ready
    std::shared_ptr<StartSyscallWindow> syscalls;  // null where system calls are not counted
  };

  void configure(const Message& msg) {
    ReadyMsg ready{::getpid(), {}, {}};
    if (!config_.decode(Decoder(msg.payload))) ready.error = "malformed Config";
    if (ready.error.empty()) {
      auto kvm = vmm::Kvm::open();
      auto image = kvm ? vmm::Image::open(config_.image) : vmm::Result<std::shared_ptr<const vmm::Image>>(kvm.error());
      if (!kvm) ready.error = kvm.error().message();
      else if (!image) ready.error = image.error().message();
      else kvm_ = *kvm, image_ = *image;
    }
    if (ready.error.empty() && config_.count_syscalls) {  // before any instance: counters watch later threads
      auto counting = StartSyscalls::open();
      if (counting) syscalls_ = std::move(*counting);
      else ready.syscalls_unavailable = counting.error().message();
    }
    Encoder e;
    ready.encode(e);
    (void)channel_.send(MsgType::Ready, e);
  }

  vmm::Result<std::unique_ptr<vmm::Instance>> create(const StartMsg& start, int tap_fd,
                                                      const std::shared_ptr<ReadyPages>& ready_pages,
                                                      const std::shared_ptr<StartSyscallWindow>& syscalls) {
    if (!kvm_) return vmm::Error("worker not configured");
    vmm::InstanceConfig config;
    config.kvm = kvm_;
    config.image = image_;
    config.name = fmt::format("coldstart-{}", start.index);
    config.memory_bytes = config_.memory_bytes;
    config.cmdline = start.cmdline;
    config.console_limit = 0;  // counted and dropped: nobody reads 5,000 consoles
    config.nets.push_back({{}, tap_fd, start.mac});
    config.platform.irqchip = config_.irqchip == "kernel" ? vmm::IrqchipMode::Kernel
                              : config_.irqchip == "none" ? vmm::IrqchipMode::None
                                                          : vmm::IrqchipMode::Split;
    config.platform.pit = config.platform.irqchip == vmm::IrqchipMode::Kernel;
    if (ready_pages || syscalls) {
      config.on_boot_ready = [ready_pages, syscalls] {
        if (syscalls) StartSyscalls::boot_ready(*syscalls);  // first: the page count makes calls
        const vmm::Instance* inst = ready_pages ? ready_pages->instance.load() : nullptr;
        if (auto pages = inst ? inst->resident_guest_pages() : vmm::Result<uint64_t>(0); pages && ready_pages) {
          ready_pages->pages.store(*pages);
        }
      };
    }
    return vmm::Instance::create(std::move(config));
  }

  void start(Message& msg) {
    StartMsg start;
    StartedMsg reply;
    if (!start.decode(Decoder(msg.payload))) {
      reply.error = "malformed Start";
    } else if (!msg.fd) {
      reply.error = "Start without a tap fd";
    } else {
      reply.index = start.index;
      auto ready_pages = config_.pages_at_ready ? std::make_shared<ReadyPages>() : nullptr;
      auto syscalls = syscalls_ ? syscalls_->begin() : nullptr;  // just before create()
      auto inst = create(start, msg.fd.get(), ready_pages, syscalls);
      if (inst && ready_pages) ready_pages->instance.store(inst->get());
      auto started = inst ? (*inst)->start() : vmm::Result<void>(inst.error());
      if (syscalls) syscalls_->started(*syscalls, started.has_value());
      if (!inst) {
        reply.error = inst.error().message();
      } else if (!started) {
        reply.error = started.error().message();
      } else {
        reply.times = (*inst)->times();
        instances_.push_back({start.index, std::move(*inst), std::move(ready_pages), std::move(syscalls)});
      }
    }
    msg.fd.reset();  // libvmm holds its own duplicate of the tap
    Encoder e;
    reply.encode(e);
    (void)channel_.send(MsgType::Started, e);
    if (syscalls_) syscalls_->arm();  // the next start's counter, while this guest boots
  }

  void query() {
    for (const auto& h : instances_) {
      const vmm::Instance& inst = *h.instance;
      InfoMsg info;
      info.index = h.index;
      info.running = inst.state() == vmm::Instance::State::Running;
      info.times = inst.times();
      const vmm::InstanceStats s = inst.stats();
      info.exits = s.exits;
      info.exits_at_ready = s.exits_at_boot_ready;
      info.pages_at_ready = h.ready_pages ? h.ready_pages->pages.load() : 0;
      info.syscalls_in_start = h.syscalls ? h.syscalls->in_start() : -1;
      info.syscalls_to_ready = h.syscalls ? h.syscalls->to_boot_ready() : -1;
      info.waits = s.waits;
      info.guest_pages = inst.resident_guest_pages().has_value() ? *inst.resident_guest_pages() : 0;
      for (const auto& d : inst.device_stats()) {
        info.rx_packets += d.rx_packets;
        info.tx_packets += d.tx_packets;
      }
      if (!info.running) info.exit_message = fmt::format("instance state {}", static_cast<int>(inst.state()));
      Encoder e;
      info.encode(e);
      if (!channel_.send(MsgType::Info, e)) return;
    }
    QueryEndMsg end{read_proc_counters()};
    Encoder e;
    end.encode(e);
    (void)channel_.send(MsgType::QueryEnd, e);
  }

  Channel channel_;
  ConfigMsg config_;
  std::shared_ptr<const vmm::Kvm> kvm_;
  std::shared_ptr<const vmm::Image> image_;
  std::unique_ptr<StartSyscalls> syscalls_;  // null where the host cannot count
  std::vector<Hosted> instances_;
};

}  // namespace

int worker_main(int channel_fd) {
  // Dies with the harness; if the harness is already gone, the channel reads EOF and the
  // loop below ends at once.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  ::prctl(PR_SET_NAME, "coldstart-wrk");
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  raise_fd_limit();
  Worker worker{Channel(vmm::UniqueFd(channel_fd))};
  return worker.run();
}

}  // namespace coldstart
