#include "tier.h"

#include <cstdlib>
#include <cstring>

namespace vmm::test {

bool in_tcg_tier() {
  const char* tier = std::getenv("VMM_TEST_TIER");
  return tier != nullptr && std::strcmp(tier, "tcg") == 0;
}

int tier_count(int native, int tcg) { return in_tcg_tier() ? tcg : native; }

}  // namespace vmm::test
