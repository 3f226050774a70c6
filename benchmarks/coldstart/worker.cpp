#include "worker.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include <fmt/format.h>

#include "host.h"
#include "protocol.h"
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
  struct Hosted {
    uint32_t index;
    std::unique_ptr<vmm::Instance> instance;
  };

  void configure(const Message& msg) {
    ReadyMsg ready{::getpid(), {}};
    if (!config_.decode(Decoder(msg.payload))) ready.error = "malformed Config";
    if (ready.error.empty()) {
      auto kvm = vmm::Kvm::open();
      auto image = kvm ? vmm::Image::open(config_.image) : vmm::Result<std::shared_ptr<const vmm::Image>>(kvm.error());
      if (!kvm) ready.error = kvm.error().message();
      else if (!image) ready.error = image.error().message();
      else kvm_ = *kvm, image_ = *image;
    }
    Encoder e;
    ready.encode(e);
    (void)channel_.send(MsgType::Ready, e);
  }

  vmm::Result<std::unique_ptr<vmm::Instance>> create(const StartMsg& start, int tap_fd) {
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
      auto inst = create(start, msg.fd.get());
      if (!inst) {
        reply.error = inst.error().message();
      } else if (auto started = (*inst)->start(); !started) {
        reply.error = started.error().message();
      } else {
        reply.times = (*inst)->times();
        instances_.push_back({start.index, std::move(*inst)});
      }
    }
    msg.fd.reset();  // libvmm holds its own duplicate of the tap
    Encoder e;
    reply.encode(e);
    (void)channel_.send(MsgType::Started, e);
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
