/** Timers the schedule uses (injectable so tests can drive them by hand). */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Real timers that do not keep the process alive. */
export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Options of a KeySchedule. */
export interface KeyScheduleOptions {
  /** Required. Current time in ms. */
  now(): number;
  /** Required. Called when a key's delay has passed (enqueue it). Must not throw. */
  onDue(key: string): void;
  /** Optional. Default real, unref'd timers. */
  timers?: Timers;
  /** Optional. First retry delay after a failure (default 1 s); doubles per failure in a row. */
  retryInitialMs?: number;
  /** Optional. Longest retry delay (default 5 min). */
  retryMaxMs?: number;
  /** Optional. At most this many keys wait on a timer (default 100,000); beyond, requeues are dropped (the routine poll covers them). */
  maxKeys?: number;
}

/**
 * Per-key delays of the controller: a delayed requeue (a reconcile asked to run again after
 * some ms) and the retry backoff of a key whose reconcile failed (1 s doubling to 5 min by
 * default; a success resets it). At most one timer per key, and at most `maxKeys` timers.
 */
export class KeySchedule {
  private readonly timers: Timers;
  private readonly waiting = new Map<string, { dueAt: number; handle: unknown }>();
  private readonly failures = new Map<string, { attempts: number; until: number }>();

  constructor(private readonly options: KeyScheduleOptions) {
    this.timers = options.timers ?? realTimers;
  }

  /** Runs `key` again in `ms` (an earlier pending requeue of the key stands). Never throws. */
  requeueAfter(key: string, ms: number): void {
    const dueAt = this.options.now() + Math.max(0, ms);
    const pending = this.waiting.get(key);
    if (pending && pending.dueAt <= dueAt) return;
    if (!pending && this.waiting.size >= (this.options.maxKeys ?? 100_000)) return;
    this.arm(key, dueAt);
  }

  /** Records a failed reconcile of `key` and schedules its retry; returns the delay and how many failures in a row. */
  failed(key: string): { delayMs: number; attempts: number } {
    const attempts = (this.failures.get(key)?.attempts ?? 0) + 1;
    const initial = this.options.retryInitialMs ?? 1000;
    const delayMs = Math.min(this.options.retryMaxMs ?? 300_000, initial * 2 ** Math.min(attempts - 1, 30));
    const until = this.options.now() + delayMs;
    this.failures.set(key, { attempts, until });
    this.arm(key, until);
    return { delayMs, attempts };
  }

  /** A reconcile of `key` succeeded: its retry backoff ends. */
  succeeded(key: string): void {
    this.failures.delete(key);
  }

  /** Whether `key` failed and its retry delay has not passed yet (routine passes skip it). */
  backingOff(key: string): boolean {
    const failure = this.failures.get(key);
    return failure !== undefined && this.options.now() < failure.until;
  }

  /** Cancels every timer (the controller is stopping). */
  clear(): void {
    for (const { handle } of this.waiting.values()) this.timers.clear(handle);
    this.waiting.clear();
  }

  private arm(key: string, dueAt: number): void {
    const pending = this.waiting.get(key);
    if (pending) this.timers.clear(pending.handle);
    const handle = this.timers.set(
      () => {
        this.waiting.delete(key);
        // Due now, whatever the wall clock says (timers and Date.now() may disagree by a ms).
        const failure = this.failures.get(key);
        if (failure) failure.until = 0;
        this.options.onDue(key);
      },
      Math.max(0, dueAt - this.options.now()),
    );
    this.waiting.set(key, { dueAt, handle });
  }
}
