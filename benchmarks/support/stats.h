// Order statistics for benchmark samples (nanoseconds or any unit).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace vmm::bench {

// The p-th percentile (0..100) by nearest rank; 0 for no samples.
inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(rank, v.size() - 1)];
}
inline double median(const std::vector<double>& v) { return percentile(v, 50); }

}  // namespace vmm::bench
