// Kicking vCPU threads: the kick signal is blocked on vCPU threads except inside KVM_RUN
// (KVM_SET_SIGNAL_MASK) and inside the wait hypercall's ppoll(), so a kick can only
// interrupt those two, and one sent just before either is not lost (it stays pending).
#pragma once

#include <signal.h>

#include "vmm/result.h"

namespace vmm {

// SIGRTMIN when `requested` is 0. Installs a do-nothing handler (without SA_RESTART)
// when the signal's disposition is SIG_DFL; an embedder's own handler is left alone.
Result<int> prepare_kick_signal(int requested);

// Blocks `signal` in the calling thread; returns the mask to use while waiting (the
// thread's mask without `signal`).
sigset_t block_kick_signal(int signal);

}  // namespace vmm
