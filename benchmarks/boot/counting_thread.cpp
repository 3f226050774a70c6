#include "counting_thread.h"

namespace vmm::bench {

Result<std::unique_ptr<CountingThread>> CountingThread::start() {
  std::unique_ptr<CountingThread> t(new CountingThread());
  t->thread_ = std::thread([p = t.get()] { p->loop(); });
  std::unique_lock lock(t->mutex_);
  t->wake_.wait(lock, [&] { return t->counter_.has_value(); });
  if (!*t->counter_) {
    Error error = t->counter_->error();
    lock.unlock();
    return error;  // the destructor ends the thread
  }
  return t;
}

void CountingThread::loop() {
  std::unique_lock lock(mutex_);
  counter_ = SyscallCounter::open(SyscallCounter::Scope::ThreadAndLater);
  const bool counting = counter_->has_value();
  wake_.notify_all();
  while (counting) {
    wake_.wait(lock, [&] { return quit_ || job_ != nullptr; });
    if (quit_) return;
    const Job* job = job_;
    lock.unlock();  // run() waits meanwhile
    (*job)(**counter_);
    lock.lock();
    job_ = nullptr;
    wake_.notify_all();
  }
}

void CountingThread::run(const Job& job) {
  std::unique_lock lock(mutex_);
  job_ = &job;
  wake_.notify_all();
  wake_.wait(lock, [&] { return job_ == nullptr; });
}

CountingThread::~CountingThread() {
  {
    std::lock_guard lock(mutex_);
    quit_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace vmm::bench
