import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { ControllerEvents } from '../../contracts/reconcile.ts';
import type { Store } from '../../contracts/store.ts';
import { type reconcileDomain, type ReconcilerDeps } from '../domain-reconciler.ts';
import { batchDeps, keyFrom, keyOf, recordingRefusals, type Batch, type Key } from './batch.ts';
import { KeySchedule, type Timers } from './key-schedule.ts';
import { FairLaunchBudget, interleaveByOwner } from './launch-budget.ts';
import { noCalls, type CloudCallCounts } from './metered-driver.ts';
import { RecordCache } from './record-cache.ts';
import { reconcileOnce } from './reconcile-once.ts';
import { SiteListings } from './site-listings.ts';
import { Yielder } from './yielding.ts';
import type { WriteEffect } from '../../services/write-effect.ts';

/** Options of the controller runtime. */
export interface ControllerOptions {
  store: Store;
  reconciler: ReconcilerDeps;
  /** Required. How often every domain is reconciled even without an API write. */
  intervalMs: number;
  log: Logger;
  /** Optional. Launches each site grants per batch, shared fairly between owners (default 100). */
  launchesPerSite?: number;
  /** Optional. One domain's reconcile is abandoned (its cloud calls aborted) after this long (default 60 s). */
  reconcileTimeoutMs?: number;
  /** Optional. First retry delay of a domain whose reconcile failed; doubles to `retryMaxMs` (default 1 s, 5 min). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Optional. Where passes are reported (default nowhere). */
  events?: ControllerEvents;
  /** Optional. Timers of delayed requeues and retries (default real ones). */
  timers?: Timers;
  /** Optional. One domain's reconcile (default reconcileDomain; tests pass fakes). */
  reconcile?: typeof reconcileDomain;
}

/** What one routine pass over every queued domain cost (logged at debug as "reconcile pass"). */
export interface PassReport {
  domains: number;
  durationMs: number;
  /** The longest the pass held the event loop at once (one slice between two turns), in ms. */
  longestHoldMs: number;
  cloudCalls: CloudCallCounts;
  /** Process memory when the pass ended, in MB (RSS, V8 heap used and reserved). */
  memoryMb: { rss: number; heapUsed: number; heapTotal: number };
}

/** A batch gives the event loop a turn at least this often (API requests wait no longer on it). */
const YIELD_EVERY_MS = 5;

/** A domain that launched is reconciled again this soon (or at a quarter of the poll interval). */
const FOLLOW_UP_MS = 1000;

/** Routine passes re-read each owner's records at least this often, whatever was marked. */
const RECORD_CACHE_MAX_AGE_MS = 60_000;

/**
 * Level-triggered reconciliation of every domain, bounded and fair. Queues, keys deduplicated:
 * - urgent: groups an API write touched (`pokeWrite`), reconciled first, each with its own
 *   listing, so a write reaches the cloud without waiting for a routine pass to finish;
 * - routine: every group, enqueued by the periodic poll, by delayed requeues and retries, and by
 *   domains whose launch budget ran out; reconciled as one pass that lists each (owner, site)
 *   once and shares the listing (cloud calls scale with sites, not domains).
 * Each batch (a routine pass or an urgent batch) orders its domains owner by owner in turns and
 * shares a FairLaunchBudget: a domain refused a launch slot is requeued for the next batch, which
 * runs right after, so a user with a huge backlog catches up without holding anyone else up.
 * A batch yields to the event loop every few ms. Each domain's reconcile is abandoned after
 * `reconcileTimeoutMs`; a failing domain is logged once per retry and retried with exponential
 * backoff. Routine passes read the store through a RecordCache; every write marks what it
 * touched, so nothing acts on records older than its last write. One domain is reconciled at a
 * time (the embedded store has one writer). Events only enqueue.
 */
export class Controller {
  private readonly urgent = new Map<string, Key>();
  private readonly routine = new Map<string, Key>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly abort = new AbortController();
  private stopped = false;
  private lastPass?: PassReport;
  private readonly records: RecordCache;
  private readonly schedule: KeySchedule;
  /** Keys whose abandoned (timed out) reconcile has not settled yet: not reconciled again until it has. */
  private readonly stuck = new Set<string>();
  /** Sites on which each domain last ran out of launch slots. */
  private readonly waitingOn = new Map<string, Set<string>>();
  private batches = 0;
  private readonly yielder = new Yielder(YIELD_EVERY_MS);

  constructor(private readonly options: ControllerOptions) {
    const clock = options.reconciler.clock;
    this.records = new RecordCache(options.store, {
      now: () => clock.now().getTime(),
      maxAgeMs: RECORD_CACHE_MAX_AGE_MS,
    });
    this.schedule = new KeySchedule({
      now: () => clock.now().getTime(),
      onDue: (key) => {
        if (this.stopped) return;
        this.routine.set(key, keyFrom(key));
        this.drain();
      },
      timers: options.timers,
      retryInitialMs: options.retryInitialMs,
      retryMaxMs: options.retryMaxMs,
    });
  }

  /** Starts polling (and runs a first poll at once). Idempotent. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.poke(), this.options.intervalMs);
    this.timer.unref();
    this.poke();
  }

  /** Enqueues every group for a routine pass and makes sure a worker runs. Never throws. */
  poke(): void {
    this.enqueue(this.routine, () => this.options.store.listAllGroupKeys());
  }

  /** Enqueues one group as urgent (e.g. an instance just failed its health check). Never throws. */
  pokeGroup(owner: string, group: string): void {
    this.records.markGroup(owner, group);
    this.enqueue(this.urgent, async () => [{ owner, name: group }]);
  }

  /**
   * After a successful API write: enqueues the groups it touched as urgent (all the owner's
   * groups when that cannot be told from the input). Never throws.
   */
  pokeWrite(owner: string, effect: WriteEffect): void {
    // Marked at once (the write has committed), so the running pass reads it from the store.
    if (effect.kind === 'owner') {
      this.records.markOwner(owner);
      this.enqueue(this.routine, () => this.options.store.listGroups(owner, { limit: Number.MAX_SAFE_INTEGER }));
      return;
    }
    if (effect.groups.length === 0) return;
    for (const group of effect.groups) this.records.markGroup(owner, group);
    this.enqueue(this.urgent, async () => effect.groups.map((name) => ({ owner, name })));
  }

  /** The cost of the last routine pass, if one ran. */
  get lastPassReport(): PassReport | undefined {
    return this.lastPass;
  }

  private enqueue(queue: Map<string, Key>, list: () => Promise<Array<{ owner: string; name: string }>>): void {
    if (this.stopped) return;
    void list()
      .then((groups) => {
        for (const g of groups) queue.set(keyOf(g.owner, g.name), { owner: g.owner, group: g.name });
        this.drain();
      })
      .catch((err: unknown) => this.options.log.error({ err }, 'controller poll failed'));
  }

  private drain(): void {
    if (this.running || this.stopped) return;
    this.running = (async () => {
      while ((this.urgent.size > 0 || this.routine.size > 0) && !this.stopped) {
        if (this.urgent.size > 0) await this.runUrgent();
        else await this.runRoutinePass();
        await this.yielder.turn();
      }
    })()
      .catch((err: unknown) => this.options.log.error({ err }, 'controller loop failed'))
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Takes the runnable keys out of `queue`, owners in turns (keys backing off or stuck wait for their timer). */
  private take(queue: Map<string, Key>): Array<[string, Key]> {
    const runnable: Array<[string, Key]> = [];
    for (const [key, item] of queue) {
      queue.delete(key);
      if (!this.stuck.has(key) && !this.schedule.backingOff(key)) runnable.push([key, item]);
    }
    const ordered = interleaveByOwner(
      runnable.map(([key, item]) => ({ key, ...item })),
      this.batches++,
    );
    return ordered.map(({ key, owner, group }) => [key, { owner, group }]);
  }

  private budgetFor(items: Array<[string, Key]>): FairLaunchBudget {
    const owners = new Set(items.map(([, item]) => item.owner)).size;
    return new FairLaunchBudget(this.options.launchesPerSite ?? 100, owners);
  }

  /** Reconciles every queued urgent group as one batch (its calls are not part of any pass's count); returns their keys. */
  private async runUrgent(): Promise<Set<string>> {
    const started = performance.now();
    const holds = this.yielder.holds.watch();
    const items = this.take(this.urgent);
    const budget = this.budgetFor(items);
    const batch: Batch = {
      deps: {
        ...batchDeps(this.options.reconciler, noCalls(), this.options.log, this.yielder, this.options.events),
        launchBudget: budget,
      },
      budget,
      using: {},
      outOfBudget: [],
    };
    const done = new Set<string>();
    for (const [key, item] of items) {
      if (this.stopped) break;
      await this.yielder.maybe();
      if (this.skipped(batch, key, item)) continue;
      await this.reconcile(batch, key, item);
      done.add(key);
    }
    this.requeueOutOfBudget(batch);
    this.options.events?.pass({
      kind: 'urgent',
      domains: done.size,
      durationMs: performance.now() - started,
      longestHoldMs: holds.end(),
    });
    return done;
  }

  private async runRoutinePass(): Promise<void> {
    const started = performance.now();
    const holds = this.yielder.holds.watch();
    const items = this.take(this.routine);
    const counts = noCalls();
    const budget = this.budgetFor(items);
    const deps = {
      ...batchDeps(this.options.reconciler, counts, this.options.log, this.yielder, this.options.events),
      launchBudget: budget,
    };
    const listings = new SiteListings(deps.installationId, deps.driverFor, deps.pause);
    const batch: Batch = {
      deps,
      budget,
      using: { observe: listings.observe, reads: this.records },
      outOfBudget: [],
    };
    this.records.prune();
    this.options.reconciler.backoff.prune(this.options.reconciler.clock.now());
    const reconciledUrgently = new Set<string>();
    for (const [key, item] of items) {
      await this.yielder.maybe();
      if (this.stopped) {
        holds.end();
        return;
      }
      // A write's groups go first; one reconciled that way needs nothing more this pass.
      if (this.urgent.size > 0) for (const done of await this.runUrgent()) reconciledUrgently.add(done);
      if (!reconciledUrgently.has(key) && !this.skipped(batch, key, item)) await this.reconcile(batch, key, item);
    }
    this.requeueOutOfBudget(batch);
    const memory = process.memoryUsage();
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    this.lastPass = {
      domains: items.length,
      durationMs: performance.now() - started,
      longestHoldMs: holds.end(),
      cloudCalls: counts,
      memoryMb: { rss: mb(memory.rss), heapUsed: mb(memory.heapUsed), heapTotal: mb(memory.heapTotal) },
    };
    this.options.log.debug(this.lastPass, 'reconcile pass');
    const { durationMs, longestHoldMs } = this.lastPass;
    this.options.events?.pass({ kind: 'routine', domains: items.length, durationMs, longestHoldMs });
  }

  /** One domain: reconciled with a timeout; requeued when it asks, when its budget ran out, or (backing off) when it failed. */
  /**
   * Whether to leave a domain to the next batch unreconciled: it last ran out of launch slots,
   * and this batch has no slot left for its owner on any of those sites (reconciling it would
   * cost a pass over its records for nothing).
   */
  private skipped(batch: Batch, key: string, item: Key): boolean {
    const sites = this.waitingOn.get(key);
    if (!sites || [...sites].some((site) => batch.budget.hasRoom(item.owner, site))) return false;
    this.routine.set(key, item);
    return true;
  }

  /** Domains that ran out of launch slots go to the next batch, behind those skipped in this one (so they take turns). */
  private requeueOutOfBudget(batch: Batch): void {
    if (this.stopped) return;
    for (const [key, item] of batch.outOfBudget) this.routine.set(key, item);
  }

  private async reconcile(batch: Batch, key: string, item: Key): Promise<void> {
    const stamp = this.options.store.changeStamp();
    const granted = batch.budget.granted;
    const refusedOn = new Set<string>();
    const launchBudget = recordingRefusals(batch.budget, refusedOn);
    const outcome = await reconcileOnce({ ...batch.deps, launchBudget }, item, {
      abort: this.abort.signal,
      timeoutMs: this.options.reconcileTimeoutMs ?? 60_000,
      using: batch.using,
      reconcile: this.options.reconcile,
    });
    // Whatever this domain's pass wrote (anything at all moved the stamp) is read afresh next time.
    if (this.options.store.changeStamp() !== stamp) this.records.markGroup(item.owner, item.group);
    if (this.stopped) return;
    if (outcome.ok) {
      this.schedule.succeeded(key);
      if (refusedOn.size > 0) {
        this.waitingOn.set(key, refusedOn);
        batch.outOfBudget.push([key, item]);
      } else {
        this.waitingOn.delete(key);
        this.requeueIfAsked(key, outcome.result.requeueAfterMs, batch.budget.granted > granted);
      }
      return;
    }
    if (outcome.timedOut) {
      this.stuck.add(key);
      outcome.settled
        .then(() => {
          this.stuck.delete(key);
          if (this.stopped) return;
          this.routine.set(key, item);
          this.drain();
        })
        .catch((err: unknown) => this.options.log.error({ err }, 'controller loop failed'));
    }
    const { delayMs, attempts } = this.schedule.failed(key);
    this.options.log.error(
      { err: outcome.error, owner: item.owner, group: item.group, attempts, retryInMs: delayMs },
      outcome.timedOut ? 'reconcile timed out; retried with backoff' : 'reconcile failed; retried with backoff',
    );
  }

  /**
   * A delayed requeue: when the reconcile asked for one, or soon after it launched something
   * (so new instances are seen running and InService well within one poll interval).
   */
  private requeueIfAsked(key: string, askedMs: number | undefined, launched: boolean): void {
    const followUpMs = launched ? Math.min(FOLLOW_UP_MS, this.options.intervalMs / 4) : undefined;
    const delays = [askedMs, followUpMs].filter((ms): ms is number => ms !== undefined);
    if (delays.length === 0) return;
    const ms = Math.min(...delays);
    if (ms < this.options.intervalMs) this.schedule.requeueAfter(key, ms);
  }

  /**
   * Stops polling, aborts cloud calls in flight and waits for the current domain to end, at most
   * `waitMs` (a reconcile stuck in a call that ignores the abort is left behind).
   */
  async stop(waitMs = 3000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.schedule.clear();
    this.abort.abort(new Error('controller stopping'));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs).unref()));
    await Promise.race([this.running, deadline]);
    clearTimeout(timer);
  }
}
