// Worker mode (`vmm-coldstart --worker FD`): a process that hosts up to K instances with
// libvmm, started one at a time on request from the harness over the socketpair FD (see
// protocol.h). Sharding instances across workers keeps each process's mappings few:
// KVM_CREATE_VM slows down with the number of VMAs in the creating process.
//
// Threads: the worker's main thread serves the channel; each instance has its vCPU thread
// (libvmm's; it also does the instance's virtio-net I/O, so no per-instance I/O thread).
// The worker dies with the harness (PR_SET_PDEATHSIG) and ignores the terminal's Ctrl-C:
// the harness stops it with Quit. Where the host can count them, it counts each start's
// system calls (start_syscalls.h) and reports them per instance at a Query.
#pragma once

namespace coldstart {

// Runs the worker until Quit or the channel closes; returns the process exit status.
int worker_main(int channel_fd);

}  // namespace coldstart
