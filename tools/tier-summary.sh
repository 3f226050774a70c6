#!/usr/bin/env bash
# Sums up the KVM tiers of a test run from the log tests/support/kvm_tier.sh writes (one
# line "<entry> <native|tcg|skipped> <status> <seconds> <test cases|->" per entry that
# needs KVM): how many entries (and Catch2 test cases) ran on this machine's /dev/kvm,
# how many in the TCG tier (with each one's time), how many were skipped. Status 77
# counts as skipped whatever the tier.
# Usage: tools/tier-summary.sh LOG
set -euo pipefail
log=${1:?usage: tier-summary.sh LOG}
[[ -s $log ]] || { echo "KVM entries: none ran (no $log)"; exit 0; }
awk '
  { tier = ($3 == 77) ? "skipped" : $2; n[tier]++; if ($3 != 0 && $3 != 77) failed++; if ($5 ~ /^[0-9]+$/) cases[tier] += $5 }
  tier == "tcg" {
    tcg = tcg sprintf("  %-40s %5d s  %s%s\n", $1, $4, $5 ~ /^[0-9]+$/ ? $5 " test cases" : "",
                      $3 == 0 ? "" : "  (failed: status " $3 ")")
    secs += $4
  }
  tier == "skipped" { skipped = skipped "  " $1 "\n" }
  END {
    if (tcg != "") printf "TCG tier, time per entry (QEMU-TCG round trip included):\n%s", tcg
    if (skipped != "") printf "skipped:\n%s", skipped
    printf "KVM entries: %d native (/dev/kvm, %d test cases), %d in the TCG tier (%d test cases, %d s), " \
           "%d skipped; %d failed\n", n["native"], cases["native"], n["tcg"], cases["tcg"], secs, n["skipped"], failed
  }' "$log"
