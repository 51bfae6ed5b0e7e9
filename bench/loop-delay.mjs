// Preloaded into a server under benchmark (NODE_OPTIONS=--import=…): every second, appends the
// event loop delay of the last second ({ at, p99, max } in ms) and the garbage collections that
// ended in it ({ gcCount, gcMaxMs, gcMaxKind, gcMs }: count, longest pause and its kind — minor,
// major, incremental or weakcb — and total) as one JSON line to
// BENCH_LOOP_DELAY_FILE. The delay is how long a ready callback (an API request) waited.
import { appendFileSync } from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

const file = process.env.BENCH_LOOP_DELAY_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 2 });
  histogram.enable();
  const KINDS = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  let gc = { count: 0, maxMs: 0, maxKind: '', ms: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.ms += entry.duration;
      if (entry.duration > gc.maxMs) {
        gc.maxMs = entry.duration;
        gc.maxKind = KINDS[entry.detail?.kind] ?? String(entry.detail?.kind);
      }
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
      gcMaxKind: gc.maxKind,
      gcMs: round(gc.ms),
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
    histogram.reset();
    gc = { count: 0, maxMs: 0, maxKind: '', ms: 0 };
  }, 1000).unref();
}
