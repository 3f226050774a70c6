# Sourced by tools/demo.sh and tests/support/kvm_tier.sh (bash).
# kvm_native_reason: prints why this machine's /dev/kvm cannot serve libvmm, or nothing
# when it can be opened read-write (what vmm::Kvm::open() needs first).
kvm_native_reason() {
  if [[ ! -e /dev/kvm ]]; then
    echo "there is no /dev/kvm"
  elif ! { exec {fd}<>/dev/kvm; } 2>/dev/null; then
    echo "/dev/kvm cannot be opened read-write"
  else
    exec {fd}>&-
  fi
}
