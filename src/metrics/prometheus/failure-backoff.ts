import { MetricSourceError } from '../../contracts/metric-source.ts';
import { evictSecondChance } from '../../lib/eviction.ts';

/** How the pause after consecutive failures grows: initial × 2^(failures − 1), at most max. */
export interface BackoffTimes {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Keys remembered at most (least recently used forgotten first). */
  readonly maxKeys: number;
}

export const DEFAULT_BACKOFF: BackoffTimes = { initialMs: 5_000, maxMs: 300_000, maxKeys: 10_000 };

interface Failures {
  count: number;
  retryAt: number;
  lastMessage: string;
  used: boolean;
}

/**
 * Consecutive failures per query, so a failing query is retried at a growing, bounded interval
 * rather than on every evaluation (no retry storm against a struggling Prometheus). Time comes
 * from the caller (`now`). Memory is bounded by `maxKeys`.
 */
export class FailureBackoff {
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly times: BackoffTimes = DEFAULT_BACKOFF) {}

  /** @throws MetricSourceError `BackingOff` when `key` failed recently and its pause has not ended. */
  check(key: string, label: string, now: Date): void {
    const entry = this.failures.get(key);
    if (!entry || now.getTime() >= entry.retryAt) return;
    entry.used = true;
    throw new MetricSourceError(
      'BackingOff',
      `${entry.lastMessage} (${entry.count} failures in a row; ${label} is not retried before ${new Date(entry.retryAt).toISOString()})`,
    );
  }

  /** Records a failure of `key` at `now`; returns the pause before the next attempt, in ms. */
  failed(key: string, message: string, now: Date): number {
    const entry = this.failures.get(key) ?? { count: 0, retryAt: 0, lastMessage: '', used: true };
    entry.count++;
    const pause = Math.min(this.times.maxMs, this.times.initialMs * 2 ** Math.min(entry.count - 1, 30));
    entry.retryAt = now.getTime() + pause;
    entry.lastMessage = message;
    entry.used = true;
    if (!this.failures.has(key) && this.failures.size >= this.times.maxKeys) evictSecondChance(this.failures);
    this.failures.set(key, entry);
    return pause;
  }

  /** Forgets `key`'s failures (it succeeded). */
  succeeded(key: string): void {
    this.failures.delete(key);
  }

  /** Keys with failures on record (for tests and metrics). */
  get size(): number {
    return this.failures.size;
  }
}
