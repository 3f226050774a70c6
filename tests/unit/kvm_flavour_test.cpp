// What differs between KVM flavours, checked without a KVM: the TR type the lean ABI loads
// (docs/guest-abi.md, "Port access"), how a host is named in reports, and how a crash
// report says a KVM lost the registers of a triple fault.
#include <catch2/catch.hpp>

#include "arch/x86_64/descriptors.h"
#include "vmm/kvm.h"
#include "vmm/vcpu.h"

using namespace vmm;

TEST_CASE("TR is loaded busy by default and available on request") {
  const kvm_segment busy = x86::tss_kvm_segment(0x3000, 0x2000, 0x30);
  CHECK(busy.type == 0xB);
  CHECK(busy.present == 1);
  CHECK(busy.s == 0);
  const kvm_segment available = x86::tss_kvm_segment(0x3000, 0x2000, 0x30, false);
  CHECK(available.type == 0x9);
  CHECK(available.base == 0x3000);
  CHECK(available.limit == 0x2000);
  CHECK(available.selector == 0x30);
}

TEST_CASE("A KVM host is named by flavour, module and what it runs inside") {
  CHECK(KvmHost{KvmFlavour::Vmx, ""}.describe() == "VMX (kvm_intel) on bare metal");
  CHECK(KvmHost{KvmFlavour::Pvm, "KVMKVMKVM"}.describe() == "PVM (kvm_pvm) nested in KVM");
  CHECK(KvmHost{KvmFlavour::Svm, "TCGTCGTCGTCG"}.describe() ==
        "SVM (kvm_amd) inside QEMU-TCG: emulated, not libvmm's speed");
  CHECK(KvmHost{KvmFlavour::Svm, "Microsoft Hv"}.describe() == "SVM (kvm_amd) nested in Microsoft Hv");
  CHECK(KvmHost{KvmFlavour::Unknown, ""}.describe() == "unknown (module unknown) on bare metal");
  CHECK(KvmHost{KvmFlavour::Svm, "TCGTCGTCGTCG"}.emulated());
  CHECK_FALSE(KvmHost{KvmFlavour::Pvm, "KVMKVMKVM"}.emulated());
}

TEST_CASE("A register dump in the reset state says the faulting registers are lost") {
  RegisterDump reset;
  reset.valid = true;
  reset.regs.rip = 0xfff0;
  reset.sregs.cs.selector = 0xf000;
  reset.sregs.cr0 = 0x60000010;
  CHECK(reset.format().rfind("(the faulting registers are lost: this KVM reset the vCPU", 0) == 0);

  RegisterDump fault = reset;
  fault.regs.rip = 0x100007;
  fault.sregs.cs.selector = 0x10;
  fault.sregs.cr0 = 0x80000033;
  CHECK(fault.format().rfind("RIP=0x0000000000100007", 0) == 0);
}
