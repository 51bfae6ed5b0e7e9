// Preloaded into a server under benchmark (NODE_OPTIONS=--import=…): every second, appends the
// event loop delay of the last second ({ at, p99, max } in ms) and the garbage collections that
// ended in it ({ gcCount, gcMaxMs, gcMs }: count, longest pause, total) as one JSON line to
// BENCH_LOOP_DELAY_FILE. The delay is how long a ready callback (an API request) waited.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

const file = process.env.BENCH_LOOP_DELAY_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 2 });
  histogram.enable();
  let gc = { count: 0, maxMs: 0, ms: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.ms += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  setInterval(() => {
    const ms = (ns) => Math.round(ns / 1e5) / 10;
    const round = (n) => Math.round(n * 10) / 10;
    const line = {
      at: Date.now(),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
      gcCount: gc.count,
      gcMaxMs: round(gc.maxMs),
      gcMs: round(gc.ms),
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
    histogram.reset();
    gc = { count: 0, maxMs: 0, ms: 0 };
  }, 1000).unref();
}
