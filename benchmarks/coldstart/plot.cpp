#include "plot.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "../support/stats.h"
#include "process.h"

namespace coldstart {
namespace {

constexpr size_t kRollingWindow = 100;

// index, cold start ms, flagged, rolling p50 over the previous kRollingWindow counted samples.
vmm::Result<void> write_data(const std::string& path, const std::vector<Sample>& samples, double* p50) {
  std::ofstream out(path);
  if (!out) return vmm::Error::from_errno("writing " + path);
  std::vector<double> counted, window;
  out << "# index cold_start_ms flagged rolling_p50_ms\n";
  for (const Sample& s : samples) {
    if (!s.ok) continue;
    if (s.counted()) {
      counted.push_back(s.cold_start_ms());
      window.push_back(s.cold_start_ms());
      if (window.size() > kRollingWindow) window.erase(window.begin());
    }
    out << fmt::format("{} {:.4f} {} {:.4f}\n", s.index, s.cold_start_ms(), s.flagged() ? 1 : 0,
                       window.empty() ? 0.0 : vmm::bench::median(window));
  }
  *p50 = counted.empty() ? 0 : vmm::bench::median(counted);
  return {};
}

}  // namespace

vmm::Result<PlotFiles> plot_cold_starts(const std::vector<Sample>& samples, const std::string& dir,
                                        const std::string& stem, const std::string& title, bool run_gnuplot) {
  const std::string data = dir + "/" + stem + ".dat";
  double p50 = 0;
  VMM_TRY(write_data(data, samples, &p50));
  std::vector<double> ok;
  for (const Sample& s : samples) {
    if (s.counted()) ok.push_back(s.cold_start_ms());
  }
  // Scale the y axis to the bulk (p99.5 with headroom) so one outlier does not flatten the
  // graph; points above are drawn at the top edge and counted in the key.
  const double top = ok.empty() ? 1.0 : std::max(vmm::bench::percentile(ok, 99.5) * 1.3, p50 * 2);
  const size_t above = static_cast<size_t>(std::count_if(ok.begin(), ok.end(), [&](double v) { return v > top; }));
  PlotFiles files{dir + "/" + stem + ".svg", dir + "/" + stem + ".png"};
  std::string body = fmt::format(
      "set title \"{}\" noenhanced\n"
      "set xlabel \"instance number (every earlier instance still running)\"\n"
      "set ylabel \"cold start: start call to first HTTP 200 (ms)\"\n"
      "set grid ytics lc rgb '#dddddd'\n"
      "set key outside top center horizontal\n"
      "set xrange [0:{}]\n"
      "set yrange [0:{:.3f}]\n"
      "plot '{}' using 1:($3==0 ? ($2>{:.3f} ? {:.3f} : $2) : 1/0) with points pt 7 ps {} lc rgb '#1f77b4' "
      "title 'cold start{}', \\\n"
      "     '' using 1:($3==1 ? ($2>{:.3f} ? {:.3f} : $2) : 1/0) with points pt 2 ps 0.6 lc rgb '#d62728' "
      "title 'flagged: TCP retransmission', \\\n"
      "     '' using 1:4 with lines lw 2 lc rgb '#ff7f0e' title 'rolling p50 ({} instances)', \\\n"
      "     {:.4f} with lines lw 2 dt 2 lc rgb '#2ca02c' title 'p50 = {:.3f} ms'\n",
      title, samples.size(), top, data, top, top, samples.size() > 1000 ? "0.25" : "0.6",
      above ? fmt::format(" ({} above the top, drawn at it)", above) : std::string(), top, top, kRollingWindow, p50,
      p50);
  const std::string script = dir + "/" + stem + ".gp";
  std::ofstream(script) << fmt::format("set terminal svg size 1000,560 dynamic font 'sans,12' background rgb 'white'\n"
                                       "set output '{}'\n{}"
                                       "set terminal pngcairo size 1000,560 font 'sans,10' background rgb 'white'\n"
                                       "set output '{}'\nreplot\n",
                                       files.svg, body, files.png);
  if (!run_gnuplot) return files;
  if (::access("/usr/bin/gnuplot", X_OK) != 0 && ::access("/usr/local/bin/gnuplot", X_OK) != 0) {
    return vmm::Error("gnuplot not found: apt-get install gnuplot-nox (or pass --no-plot)");
  }
  VMM_TRY_CTX(run_command({"gnuplot", script}), "plotting");
  return files;
}

}  // namespace coldstart
