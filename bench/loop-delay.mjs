// Preloaded into a server under benchmark (NODE_OPTIONS=--import=…): every second, appends the
// event loop delay of the last second ({ at, p99, max } in ms) as one JSON line to
// BENCH_LOOP_DELAY_FILE. The delay is how long a ready callback (an API request) waited.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BENCH_LOOP_DELAY_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 2 });
  histogram.enable();
  setInterval(() => {
    const ms = (ns) => Math.round(ns / 1e5) / 10;
    appendFileSync(
      file,
      `${JSON.stringify({ at: Date.now(), p99: ms(histogram.percentile(99)), max: ms(histogram.max) })}\n`,
    );
    histogram.reset();
  }, 1000).unref();
}
