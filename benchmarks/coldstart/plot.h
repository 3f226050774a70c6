// The graph, like KraftCloud's: cold start (ms) of every instance against its instance
// number, with the overall p50 and a rolling p50, drawn by gnuplot as SVG and PNG.
// Flagged samples (TCP retransmission) are drawn apart; failed ones are not drawn.
#pragma once

#include <string>
#include <vector>

#include "results.h"
#include "vmm/result.h"

namespace coldstart {

struct PlotFiles {
  std::string svg;
  std::string png;
};

// Writes <dir>/<stem>.svg and .png (plus the gnuplot script and data it used). `title`
// heads the graph. Fails with a clear message if gnuplot is missing. With `run_gnuplot`
// false, writes only the script (<dir>/<stem>.gp) and its data, for `gnuplot <stem>.gp`
// later or elsewhere (tools/demo.sh draws the TCG tier's plot on the host so).
vmm::Result<PlotFiles> plot_cold_starts(const std::vector<Sample>& samples, const std::string& dir,
                                        const std::string& stem, const std::string& title, bool run_gnuplot = true);

}  // namespace coldstart
