/*
 * libvmm lean guest ABI, version 1: the contract between libvmm and guests written for it.
 * Shared verbatim by the VMM (host C++) and by guests (freestanding C/C++); C-compatible,
 * fixed-width fields, natural alignment, sizes pinned by static assertions.
 * The prose version, with the CPU state at entry, is docs/guest-abi.md.
 *
 * Entry: 64-bit mode, CPL3, RIP = ELF entry, RDI = guest-physical address of
 * struct vmm_boot_info, RSP = top of the initial stack minus 8 (as if called).
 * Hypercall: `out dx, eax` with DX = VMM_HC_PORT_BASE + number and EAX = guest-physical
 * address (below 4 GiB, 8-byte aligned) of the call's argument block. Every block begins
 * with `int64_t result`, which the VMM overwrites with >= 0 on success or -VMM_E* on error.
 * A block the VMM cannot read (outside RAM, misaligned, crossing the end of RAM) is ignored
 * and counted; the guest should preset `result` to -VMM_ENOTHANDLED to notice.
 */
#ifndef VMM_GUEST_ABI_H
#define VMM_GUEST_ABI_H

#include <stdint.h>

#define VMM_ABI_VERSION 1u
#define VMM_BOOT_INFO_MAGIC 0x21424d56u /* "VMB!" little endian */

/* ELF note announcing the ABI: name "libvmm", type VMM_NOTE_TYPE_ABI,
 * descriptor struct vmm_abi_note. */
#define VMM_NOTE_NAME "libvmm"
#define VMM_NOTE_TYPE_ABI 0x4c454e31u /* "LEN1" */
struct vmm_abi_note {
  uint32_t abi_version; /* VMM_ABI_VERSION the image was built against */
  uint32_t flags;       /* reserved, 0 */
};

/* ---- hypercalls ---------------------------------------------------------------------- */
#define VMM_HC_PORT_BASE 0x500u
#define VMM_HC_PORT_COUNT 16u

enum vmm_hypercall {
  VMM_HC_CONSOLE_WRITE = 0, /* struct vmm_hc_console_write */
  VMM_HC_EXIT = 1,          /* struct vmm_hc_exit; does not return */
  VMM_HC_BOOT_READY = 2,    /* struct vmm_hc_boot_ready */
  VMM_HC_WAIT = 3,          /* struct vmm_hc_wait */
  VMM_HC_CPU_START = 4,     /* struct vmm_hc_cpu_start */
  VMM_HC_NOTIFY = 5,        /* struct vmm_hc_notify: queues of lean devices have work */
  VMM_HC_EXCEPTION = 15,    /* used only by the VMM's CPL0 exception stubs */
};

/* Errors, returned negated in `result`. */
enum vmm_error {
  VMM_EOK = 0,
  VMM_EFAULT = 1,       /* a buffer lies outside guest RAM or overflows */
  VMM_EINVAL = 2,       /* a field has a value the call does not accept */
  VMM_ENOSYS = 3,       /* unknown hypercall number */
  VMM_ENOTHANDLED = 4,  /* preset by guests; the VMM never writes it */
  VMM_ELIMIT = 5,       /* a per-instance limit was reached (e.g. console cap) */
};

struct vmm_hc_console_write {
  int64_t result;  /* bytes accepted */
  uint64_t data;   /* guest-physical address of the bytes */
  uint64_t length; /* at most VMM_CONSOLE_WRITE_MAX */
};
#define VMM_CONSOLE_WRITE_MAX 65536u

struct vmm_hc_exit {
  int64_t result;
  int64_t status; /* the instance's exit status, reported to the embedder */
};

/* "I am up". The VMM first writes `length` bytes at `data` to the console, as
 * CONSOLE_WRITE would (0: none), then stamps the boot-ready time (first call only): a
 * guest's ready line and the signal cost one exit. */
struct vmm_hc_boot_ready {
  int64_t result;  /* bytes written to the console, or -VMM_E* */
  uint64_t data;
  uint64_t length; /* at most VMM_CONSOLE_WRITE_MAX */
};

/* Block the vCPU until a device has work, a stop is requested, or the guest clock
 * (see vmm_boot_info) reaches deadline_ns. deadline_ns == 0 polls; UINT64_MAX waits
 * without a deadline. `events` receives VMM_WAIT_* bits. */
struct vmm_hc_wait {
  int64_t result;
  uint64_t deadline_ns;
  uint64_t events;
};
#define VMM_WAIT_TIMEOUT (1ull << 0)
#define VMM_WAIT_DEVICE (1ull << 1)
#define VMM_WAIT_STOP_REQUESTED (1ull << 2)

/* Start parked vCPU `cpu` (1 .. vcpu_count-1) at `entry` in 64-bit CPL3 with RSP = stack
 * and RDI = arg. Each vCPU can be started once. */
struct vmm_hc_cpu_start {
  int64_t result;
  uint32_t cpu;
  uint32_t reserved;
  uint64_t entry;
  uint64_t stack;
  uint64_t arg;
};

/* Tell the VMM that queues of device `device` (index in the boot device table) have new
 * buffers; bit q of queue_mask stands for queue q. The VMM processes them before return. */
struct vmm_hc_notify {
  int64_t result;
  uint32_t device;
  uint32_t queue_mask;
};

/* Frame the VMM's CPL0 stubs hand over for an exception taken by the guest. */
struct vmm_exception_frame {
  uint64_t vector;
  uint64_t error_code; /* 0 for vectors without one */
  uint64_t rip;
  uint64_t cs;
  uint64_t rflags;
  uint64_t rsp;
  uint64_t ss;
};

/* ---- boot information ---------------------------------------------------------------- */
enum vmm_mem_type {
  VMM_MEM_FREE = 1,     /* RAM the guest may use as it likes */
  VMM_MEM_IMAGE = 2,    /* the loaded ELF image (its PT_LOAD segments, page-rounded) */
  VMM_MEM_STACK = 3,    /* the initial stack */
  VMM_MEM_BOOT = 4,     /* VMM tables and boot data: not writable by the guest */
  VMM_MEM_MMIO = 5,     /* device registers */
  VMM_MEM_QUEUES = 6,   /* virtqueue rings of preconfigured devices (guest-writable, not free) */
};

struct vmm_mem_region {
  uint64_t base;
  uint64_t size;
  uint32_t type; /* enum vmm_mem_type */
  uint32_t reserved;
};

#define VMM_BOOT_DEVICE_MAX_QUEUES 2u
#define VMM_BOOT_DEVICE_CONFIG_SIZE 64u

struct vmm_boot_queue {
  uint64_t desc;  /* guest-physical addresses of the split-ring parts */
  uint64_t avail;
  uint64_t used;
  uint16_t size;  /* entries, a power of two */
  uint16_t reserved[3];
};

/* A device the VMM attached. With VMM_DEVICE_PRECONFIGURED the VMM has already done the
 * virtio-mmio initialisation (virtio 1.2 section 3.1.1) on the guest's behalf: features
 * negotiated as given, queues placed and ready, DRIVER_OK set; the guest only uses the
 * rings. Without it, the guest drives the registers at mmio_base itself. */
struct vmm_boot_device {
  uint32_t virtio_id; /* virtio 1.2 section 5: 1 = net, 2 = block */
  uint32_t flags;
  uint64_t mmio_base;
  uint64_t mmio_size;
  uint64_t features; /* negotiated feature bits (when preconfigured) */
  uint32_t queue_count;
  uint32_t reserved;
  struct vmm_boot_queue queues[VMM_BOOT_DEVICE_MAX_QUEUES];
  uint8_t config[VMM_BOOT_DEVICE_CONFIG_SIZE]; /* copy of the device config space */
};
#define VMM_DEVICE_PRECONFIGURED (1u << 0)

struct vmm_boot_info {
  uint32_t magic;   /* VMM_BOOT_INFO_MAGIC */
  uint32_t version; /* VMM_ABI_VERSION */
  uint32_t size;    /* sizeof(struct vmm_boot_info) as the VMM knows it */
  uint32_t flags;   /* reserved, 0 */

  uint64_t ram_size; /* guest RAM is [0, ram_size) */
  uint64_t memmap;   /* guest-physical address of struct vmm_mem_region[memmap_count] */
  uint32_t memmap_count;
  uint32_t vcpu_count;

  uint64_t cmdline;  /* guest-physical address of the NUL-terminated command line */
  uint32_t cmdline_length; /* bytes, without the NUL */
  uint32_t device_count;
  uint64_t devices;  /* guest-physical address of struct vmm_boot_device[device_count] */

  /* Time without exits: guest clock ns = (rdtsc - boot_tsc) * 1e9 / tsc_hz;
   * wall clock = boot_wallclock_ns + guest clock ns. */
  uint64_t tsc_hz;
  uint64_t boot_tsc;
  int64_t boot_wallclock_ns; /* ns since the UNIX epoch at boot_tsc */

  uint8_t entropy[32]; /* fresh random bytes from the host for seeding the guest */

  uint16_t hypercall_port_base; /* VMM_HC_PORT_BASE */
  uint16_t hypercall_port_count;
  uint32_t reserved0;
  uint64_t reserved[4];
};

#ifdef __cplusplus
static_assert(sizeof(struct vmm_abi_note) == 8, "ABI");
static_assert(sizeof(struct vmm_hc_console_write) == 24, "ABI");
static_assert(sizeof(struct vmm_hc_wait) == 24, "ABI");
static_assert(sizeof(struct vmm_hc_boot_ready) == 24, "ABI");
static_assert(sizeof(struct vmm_hc_cpu_start) == 40, "ABI");
static_assert(sizeof(struct vmm_hc_notify) == 16, "ABI");
static_assert(sizeof(struct vmm_exception_frame) == 56, "ABI");
static_assert(sizeof(struct vmm_mem_region) == 24, "ABI");
static_assert(sizeof(struct vmm_boot_queue) == 32, "ABI");
static_assert(sizeof(struct vmm_boot_device) == 168, "ABI");
static_assert(sizeof(struct vmm_boot_info) == 160, "ABI");
#endif

#endif /* VMM_GUEST_ABI_H */
