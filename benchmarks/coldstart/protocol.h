// The harness <-> worker protocol, over a SOCK_SEQPACKET socketpair (one record per
// message; a tap fd travels as SCM_RIGHTS). Each message is a header {type, payload length}
// (u32 each, host order: both ends are the same binary) and a payload of fixed-width
// integers and length-prefixed strings.
//
//   harness -> worker             worker -> harness
//   Config{image, memory, ...}    Ready{pid, error, why system calls are not counted}
//   Start{index, cmdline, mac}+fd Started{index, error, times}   (after Instance::start())
//   Query{}                       Info{...} per instance, then QueryEnd{process counters}
//   Quit{}                        (kills its instances and exits 0)
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "host.h"
#include "vmm/instance.h"
#include "vmm/result.h"
#include "vmm/unique_fd.h"

namespace coldstart {

enum class MsgType : uint32_t { Config = 1, Ready, Start, Started, Query, Info, QueryEnd, Quit };

class Encoder {
 public:
  Encoder& u32(uint32_t v) { return raw(&v, sizeof v); }
  Encoder& u64(uint64_t v) { return raw(&v, sizeof v); }
  Encoder& i64(int64_t v) { return raw(&v, sizeof v); }
  Encoder& str(const std::string& s);
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  Encoder& raw(const void* p, size_t n);
  std::vector<uint8_t> bytes_;
};

// Reads what Encoder wrote; a short or malformed payload sets ok() false (values read as 0).
class Decoder {
 public:
  explicit Decoder(const std::vector<uint8_t>& bytes) : bytes_(bytes) {}
  uint32_t u32();
  uint64_t u64();
  int64_t i64();
  std::string str();
  bool ok() const { return ok_; }

 private:
  bool raw(void* p, size_t n);
  const std::vector<uint8_t>& bytes_;
  size_t pos_ = 0;
  bool ok_ = true;
};

struct Message {
  MsgType type{};
  std::vector<uint8_t> payload;
  vmm::UniqueFd fd;  // a passed descriptor, if any
};

// One end of the socketpair. send/recv block (the harness waits for readiness first).
class Channel {
 public:
  Channel() = default;
  explicit Channel(vmm::UniqueFd sock) : sock_(std::move(sock)) {}
  int fd() const { return sock_.get(); }
  vmm::Result<void> send(MsgType type, const Encoder& payload, int pass_fd = -1);
  // Fails on EOF ("peer closed") or a malformed record.
  vmm::Result<Message> recv();

 private:
  vmm::UniqueFd sock_;
  std::vector<uint8_t> buffer_;
};

// Typed payloads.
struct ConfigMsg {
  std::string image;
  uint64_t memory_bytes = 0;
  std::string irqchip;  // for standard guests
  uint32_t pages_at_ready = 0;  // 1: count resident guest pages at boot-ready (costs a /proc/self/pagemap read)
  uint32_t count_syscalls = 1;  // 1: count each start's system calls where the host can (start_syscalls.h)
  void encode(Encoder& e) const { e.str(image).u64(memory_bytes).str(irqchip).u32(pages_at_ready).u32(count_syscalls); }
  bool decode(Decoder d) {
    image = d.str(), memory_bytes = d.u64(), irqchip = d.str(), pages_at_ready = d.u32(), count_syscalls = d.u32();
    return d.ok();
  }
};

struct ReadyMsg {
  int64_t pid = 0;
  std::string error;  // empty: ready
  std::string syscalls_unavailable;  // empty: the worker counts each start's system calls (start_syscalls.h)
  void encode(Encoder& e) const { e.i64(pid).str(error).str(syscalls_unavailable); }
  bool decode(Decoder d) {
    pid = d.i64(), error = d.str(), syscalls_unavailable = d.str();
    return d.ok();
  }
};

struct StartMsg {
  uint32_t index = 0;
  std::string cmdline;
  std::array<uint8_t, 6> mac{};
  void encode(Encoder& e) const;
  bool decode(Decoder d);
};

void encode_times(Encoder& e, const vmm::BootTimes& t);
vmm::BootTimes decode_times(Decoder& d);

struct StartedMsg {
  uint32_t index = 0;
  std::string error;  // empty: started
  vmm::BootTimes times;
  void encode(Encoder& e) const;
  bool decode(Decoder d);
};

// One instance's state at a Query.
struct InfoMsg {
  uint32_t index = 0;
  uint32_t running = 0;   // 1: still running
  std::string exit_message;
  vmm::BootTimes times;
  uint64_t exits = 0;
  uint64_t waits = 0;
  uint64_t guest_pages = 0;  // resident_guest_pages()
  uint64_t rx_packets = 0, tx_packets = 0;
  uint64_t exits_at_ready = 0;  // InstanceStats::exits_at_boot_ready
  uint64_t pages_at_ready = 0;  // resident guest pages at boot-ready (ConfigMsg::pages_at_ready), else 0
  // The VMM's system calls for this start (start_syscalls.h); -1: not counted.
  int64_t syscalls_in_start = -1;  // main thread: create() -> start() returned
  int64_t syscalls_to_ready = -1;  // + the vCPU thread's, to boot-ready
  void encode(Encoder& e) const;
  bool decode(Decoder d);
};

struct QueryEndMsg {
  ProcCounters process;
  void encode(Encoder& e) const;
  bool decode(Decoder d);
};

}  // namespace coldstart
