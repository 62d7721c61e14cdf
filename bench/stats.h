// Order statistics over timing samples.
#pragma once

#include <vector>

namespace benchtop::bench {

// Nearest-rank percentile (0 < p <= 100) of `samples`; 0 for an empty set. Sorts a copy.
double percentile(std::vector<double> samples, double p);
inline double median(const std::vector<double>& samples) {
  return percentile(samples, 50);
}

}  // namespace benchtop::bench
