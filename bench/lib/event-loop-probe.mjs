// Preloaded into the hub by bench/many-agents.ts (NODE_OPTIONS=--import=…): watches the hub's own event loop.
// On SIGWINCH it writes what the loop did since the previous one (or since start) to the file named by
// KIDTIME_BENCH_LOOP_FILE and starts a new window, so the benchmark can ask for any window it measures:
//   - utilization: the share of wall time the loop was running JavaScript or native callbacks (ELU);
//   - delay: how late a timer due every 10 ms fired (monitorEventLoopDelay, less the 10 ms), in ms — how long
//     anything that arrived (an HTTP request, an agent's message) could have waited behind work already running.
// SIGWINCH because its default action is to ignore it (a hub without the probe is not hurt) and Nest's
// shutdown hooks do not listen to it (they stop the hub on SIGUSR2). The file is written with `seq` 0 on load.
import fs from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const file = process.env.KIDTIME_BENCH_LOOP_FILE;
if (file) {
  const RESOLUTION_MS = 10;
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let elu = performance.eventLoopUtilization();
  let seq = 0;
  // The histogram holds the time between two of its timer's runs: what is late is the part over 10 ms.
  const lateMs = (ns) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);
  const write = (snapshot) => {
    // Written whole, then renamed: the benchmark never reads half a file.
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(snapshot));
    fs.renameSync(`${file}.tmp`, file);
  };
  write({ seq, pid: process.pid });
  process.on('SIGWINCH', () => {
    const window = performance.eventLoopUtilization(elu);
    elu = performance.eventLoopUtilization();
    seq++;
    write({
      seq,
      pid: process.pid,
      utilization: window.utilization,
      activeMs: window.active,
      delayMs: {
        samples: histogram.count,
        mean: histogram.count > 0 ? lateMs(histogram.mean) : null,
        p50: lateMs(histogram.percentile(50)),
        p99: lateMs(histogram.percentile(99)),
        max: lateMs(histogram.max),
      },
    });
    histogram.reset();
  });
}
