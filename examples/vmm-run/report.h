// What vmm-run prints about an instance: the boot summary (in the style of
// `kraft cloud deploy`), the exit line, and the --json document.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "options.h"
#include "vmm/instance.h"

namespace vmm_run {

// Exit statuses of vmm-run besides the guest's own (docs/vmm-run.md).
inline constexpr int kExitTimeout = 124;
inline constexpr int kExitVmmError = 125;
inline constexpr int kExitCrash = 126;
inline constexpr int kExitKilled = 130;

std::string boot_summary(const vmm::Instance& instance, const Options& options);
std::string exit_line(const vmm::ExitInfo& exit, const vmm::Instance& instance);
nlohmann::json json_report(const vmm::Instance& instance, const Options& options, const vmm::ExitInfo& exit);
int exit_status(const vmm::ExitInfo& exit);

}  // namespace vmm_run
