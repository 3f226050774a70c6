// vmm-run as a process: exit statuses, messages, --json.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "kvm_skip.h"

using namespace vmm::test;

namespace {
struct Output {
  int status = -1;
  std::string out;
};

Output run(const std::string& args) {
  kvm_or_skip();
  std::string cmd = std::string(VMM_BUILD_DIR) + "/examples/vmm-run/vmm-run " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  Output o;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) o.out.append(buf.data(), n);
  int st = pclose(p);
  o.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return o;
}
}  // namespace

TEST_CASE("vmm-run exits with the guest's status and prints the boot summary") {
  auto o = run(guest_path("hello.elf") + " -- exit=7 hi");
  CHECK(o.status == 7);
  CHECK(o.out.find("Hello from hello") != std::string::npos);
  CHECK(o.out.find("argv[1] = exit=7") != std::string::npos);
  CHECK(o.out.find("[●] Booted successfully!") != std::string::npos);
  CHECK(o.out.find("boot time:") != std::string::npos);
}

TEST_CASE("vmm-run reports a crash with status 126") {
  auto o = run("-q " + guest_path("exception.elf") + " -- ud");
  CHECK(o.status == 126);
  CHECK(o.out.find("guest exception #UD (invalid opcode)") != std::string::npos);
}

TEST_CASE("vmm-run reports a timeout with status 124") {
  auto o = run("-q --timeout 0.2 " + guest_path("spin.elf"));
  CHECK(o.status == 124);
  CHECK(o.out.find("timeout after 200 ms") != std::string::npos);
}

TEST_CASE("vmm-run names a missing image and a malformed one, status 125") {
  auto missing = run("/nonexistent.elf");
  CHECK(missing.status == 125);
  CHECK(missing.out == "vmm-run: cannot open image /nonexistent.elf: No such file or directory\n");

  std::string bad = "/tmp/vmm-run-test-bad.elf";
  std::ofstream(bad) << "\x7f" "ELF garbage";
  auto malformed = run(bad);
  CHECK(malformed.status == 125);
  CHECK(malformed.out == "vmm-run: image " + bad + ": ELF: file is too small for an ELF header (12 bytes)\n");
  std::remove(bad.c_str());
}

TEST_CASE("vmm-run --json prints one document with times and exit") {
  kvm_or_skip();
  std::string cmd = std::string(VMM_BUILD_DIR) + "/examples/vmm-run/vmm-run --json " + guest_path("hello.elf") +
                    " -- exit=3 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int st = pclose(p);
  CHECK(WEXITSTATUS(st) == 3);
  auto j = nlohmann::json::parse(out);
  CHECK(j["exit"]["reason"] == "exited");
  CHECK(j["exit"]["status"] == 3);
  CHECK(j["protocol"] == "lean");
  CHECK(j["times_ms"]["boot_ready"].get<double>() > 0);
  CHECK(j["stats"]["hypercalls"] == 3);
}
