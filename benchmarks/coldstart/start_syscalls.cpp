#include "start_syscalls.h"

namespace coldstart {

using vmm::bench::SyscallCounter;

int64_t StartSyscallWindow::to_boot_ready() const {
  const int64_t a = in_start_.load(), b = vcpu_.load();
  return a >= 0 && b >= 0 ? a + b : -1;
}

vmm::Result<std::unique_ptr<StartSyscalls>> StartSyscalls::open() {
  auto main = VMM_TRY(SyscallCounter::open(SyscallCounter::Scope::Thread));
  std::unique_ptr<StartSyscalls> s(new StartSyscalls(std::move(main)));
  s->armed_ = VMM_TRY(SyscallCounter::open(SyscallCounter::Scope::ThreadAndLater));
  return s;
}

void StartSyscalls::close_instance_counter(StartSyscallWindow& w, StartSyscallWindow::State from) {
  int expected = from;
  if (w.state_.compare_exchange_strong(expected, StartSyscallWindow::Abandoned)) w.instance_.reset();
}

std::shared_ptr<StartSyscallWindow> StartSyscalls::begin() {
  if (last_) close_instance_counter(*last_, StartSyscallWindow::Running);  // never reached boot-ready
  last_.reset();
  if (!armed_) return nullptr;
  auto w = std::make_shared<StartSyscallWindow>();
  w->main_ = main_;
  w->instance_ = std::move(armed_);
  armed_.reset();
  auto t = w->instance_->read();
  auto m = main_->read();  // counted in T too: after t, so T's main part is t + 1 from here
  if (!t || !m) return nullptr;  // w and its counter go at once
  w->t_begin_ = *t;
  w->m_begin_ = *m;
  last_ = w;
  return w;
}

void StartSyscalls::started(StartSyscallWindow& w, bool ok) {
  auto m = main_->read();
  if (m && ok) w.in_start_ = static_cast<int64_t>(main_->between(w.m_begin_, *m));
  if (!ok) close_instance_counter(w, StartSyscallWindow::Running);  // no vCPU thread will read it
}

void StartSyscalls::boot_ready(StartSyscallWindow& w) {
  int expected = StartSyscallWindow::Running;
  if (!w.state_.compare_exchange_strong(expected, StartSyscallWindow::Reading)) return;
  const SyscallCounter& t_counter = *w.instance_;
  const SyscallCounter& m_counter = *w.main_;
  const uint64_t cost = t_counter.read_cost();  // what each read on this (counted) thread adds to T
  // M is read on both sides of T's read: equal values mean the main thread made no call
  // in between, so T's main part at that read is known exactly. Retried if it moved.
  for (uint64_t attempt = 0; attempt < 8; ++attempt) {
    auto m1 = m_counter.read();
    auto t = t_counter.read();
    auto m2 = m_counter.read();
    if (!m1 || !t || !m2) break;
    if (*m1 != *m2) continue;
    // T at t: the main thread's part (t_begin, +1 for M's read at begin, + its calls since,
    // as M counts them) + this thread's calls + this thread's reads so far (3 per earlier
    // attempt, then m1 and t itself).
    const uint64_t main_part = w.t_begin_ + cost + (*m1 - w.m_begin_);
    const uint64_t own_reads = (3 * attempt + 2) * cost;
    if (*t >= main_part + own_reads) w.vcpu_ = static_cast<int64_t>(*t - main_part - own_reads);
    break;
  }
  w.instance_.reset();  // closed here, before the next instance's vCPU thread can inherit it
  w.state_ = StartSyscallWindow::Done;
}

void StartSyscalls::arm() {
  if (armed_) return;
  if (auto t = SyscallCounter::open(SyscallCounter::Scope::ThreadAndLater)) armed_ = std::move(*t);
}

}  // namespace coldstart
