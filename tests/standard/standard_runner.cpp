#include "standard_runner.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <vector>

#include "guest_runner.h"
#include "kvm_skip.h"
#include "vmm/image.h"

namespace vmm::test {

StandardRun run_standard(const std::string& image, const StandardOptions& options) {
  StandardRun run;
  auto img = Image::open(guest_path(image));
  if (!img) {
    run.start_error = img.error().message();
    return run;
  }
  auto console = std::make_shared<ConsoleCapture>();
  InstanceConfig config;
  config.kvm = kvm_or_skip();
  config.image = *img;
  config.cmdline = options.cmdline;
  config.memory_bytes = options.memory;
  config.vcpus = options.vcpus;
  config.platform = options.platform;
  config.timeout = options.timeout;
  config.console = [console](std::string_view s) { console->append(s); };
  auto instance = Instance::create(std::move(config));
  if (!instance) {
    run.start_error = instance.error().message();
    return run;
  }
  auto exit = (*instance)->run();
  run.console = console->text();
  if (!exit) {
    run.start_error = exit.error().message();
    return run;
  }
  run.started = true;
  run.exit = *exit;
  run.times = (*instance)->times();
  return run;
}

bool passed(const StandardRun& run) {
  return run.started && run.console.find("VERDICT PASS\n") != std::string::npos &&
         run.console.find("FAIL") == std::string::npos;
}

void require_pass(const StandardRun& run) {
  INFO(run.start_error);
  INFO(run.console);
  REQUIRE(run.started);
  CHECK(run.exit.reason == ExitReason::GuestExit);
  CHECK(run.exit.status == 1);  // debug-exit port: (0 << 1) | 1
  CHECK(passed(run));
}

PatternFile::PatternFile(size_t size) {
  char name[] = "/tmp/vmm-std-initrd-XXXXXX";
  const int fd = ::mkstemp(name);
  if (fd < 0) std::abort();
  path_ = name;
  std::vector<unsigned char> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<unsigned char>(i * 131 + 7);
  if (::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) std::abort();
  ::close(fd);
}

PatternFile::~PatternFile() { ::unlink(path_.c_str()); }

}  // namespace vmm::test
