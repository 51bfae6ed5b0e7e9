import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import { silentEvents, type ControllerEvents } from '../../contracts/reconcile.ts';
import type { Store } from '../../contracts/store.ts';
import type { WriteEffect } from '../../services/write-effect.ts';
import type { DomainReads } from '../domain-reads.ts';
import { reconcileDomain, type ReconcilerDeps, type SiteObserver } from '../domain-reconciler.ts';
import { TAG } from '../ownership.ts';
import { meteredDriver, noCalls, type CloudCallCounts } from './metered-driver.ts';
import { RecordCache } from './record-cache.ts';
import { SiteListings } from './site-listings.ts';

/** Options of the controller runtime. */
export interface ControllerOptions {
  store: Store;
  reconciler: ReconcilerDeps;
  /** Required. How often every domain is reconciled even without an API write. */
  intervalMs: number;
  log: Logger;
  /** Optional. Where passes, cloud calls and decisions are reported; default: nowhere. */
  events?: ControllerEvents;
}

/** What one routine pass over every queued domain cost (logged at debug as "reconcile pass"). */
export interface PassReport {
  domains: number;
  durationMs: number;
  cloudCalls: CloudCallCounts;
  /** Process memory when the pass ended, in MB (RSS, V8 heap used and reserved). */
  memoryMb: { rss: number; heapUsed: number; heapTotal: number };
}

type Key = { owner: string; group: string };
const keyOf = (owner: string, group: string) => `${owner}\u0000${group}`;

/**
 * A routine pass gives the event loop a turn this often: on a fast cloud its domains run on
 * microtasks alone, which would hold API requests (and the writes that make urgent work)
 * until the whole pass had finished.
 */
const YIELD_EVERY_MS = 5;

/** Routine passes re-read each owner's records at least this often, whatever was marked. */
const RECORD_CACHE_MAX_AGE_MS = 60_000;

/**
 * Level-triggered reconciliation of every domain. Two queues, keys deduplicated:
 * - urgent: groups an API write touched (`pokeWrite`), reconciled first, each with its own
 *   listing, so a write reaches the cloud without waiting for a routine pass to finish;
 * - routine: every group, enqueued by the periodic poll and reconciled as one pass that lists
 *   each (owner, site) once and shares the listing (cloud calls scale with sites, not domains).
 * Routine passes read the store through a RecordCache kept between passes; every write marks
 * what it touched (`pokeWrite`, and each domain whose pass wrote), so nothing acts on records
 * older than its last write. One domain is reconciled at a time (the embedded store has one
 * writer). A failing domain is logged and retried at the next poll; nothing stops the loop.
 * Events only enqueue: each domain's pass observes the clouds afresh.
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

  constructor(private readonly options: ControllerOptions) {
    const clock = options.reconciler.clock;
    this.records = new RecordCache(options.store, {
      now: () => clock.now().getTime(),
      maxAgeMs: RECORD_CACHE_MAX_AGE_MS,
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
   * After a committed write by `owner`: enqueues as urgent exactly the groups its effect names,
   * or all of the owner's groups for an owner-wide effect. Never throws.
   */
  pokeWrite(owner: string, effect: WriteEffect): void {
    // Marked at once (the write has committed), so the running pass reads it from the store.
    if (effect.kind === 'owner') {
      this.records.markOwner(owner);
      this.enqueue(this.urgent, () => this.options.store.listGroups(owner, { limit: Number.MAX_SAFE_INTEGER }));
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
      }
    })().finally(() => {
      this.running = undefined;
    });
  }

  /** Reconciles every queued urgent group (its calls are not part of any pass's count); returns their keys. */
  private async runUrgent(): Promise<Set<string>> {
    const done = new Set<string>();
    const deps = this.metered(noCalls());
    const started = performance.now();
    while (this.urgent.size > 0 && !this.stopped) {
      const [key, item] = this.urgent.entries().next().value!;
      this.urgent.delete(key);
      await this.reconcile(deps, item, {});
      done.add(key);
    }
    if (done.size > 0)
      this.events.pass({ kind: 'urgent', domains: done.size, durationMs: performance.now() - started });
    return done;
  }

  private async runRoutinePass(): Promise<void> {
    const batch = [...this.routine.entries()];
    this.routine.clear();
    const started = performance.now();
    const counts = noCalls();
    const deps = this.metered(counts);
    const listings = new SiteListings(deps.installationId, deps.driverFor);
    this.records.prune();
    const reconciledUrgently = new Set<string>();
    let lastYield = performance.now();
    for (const [key, item] of batch) {
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      if (this.stopped) return;
      // A write's groups go first; one reconciled that way needs nothing more this pass.
      if (this.urgent.size > 0) for (const done of await this.runUrgent()) reconciledUrgently.add(done);
      if (!reconciledUrgently.has(key))
        await this.reconcile(deps, item, { observe: listings.observe, reads: this.records });
    }
    const memory = process.memoryUsage();
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    this.lastPass = {
      domains: batch.length,
      durationMs: performance.now() - started,
      cloudCalls: counts,
      memoryMb: { rss: mb(memory.rss), heapUsed: mb(memory.heapUsed), heapTotal: mb(memory.heapTotal) },
    };
    this.options.log.debug(this.lastPass, 'reconcile pass');
    this.events.pass({ kind: 'routine', domains: batch.length, durationMs: this.lastPass.durationMs });
  }

  private async reconcile(
    deps: ReconcilerDeps,
    item: Key,
    using: { observe?: SiteObserver; reads?: DomainReads },
  ): Promise<void> {
    const stamp = this.options.store.changeStamp();
    try {
      await reconcileDomain(deps, item.owner, item.group, this.abort.signal, using);
    } catch (err) {
      this.options.log.error(
        { err, owner: item.owner, group: item.group },
        'reconcile failed; retried at the next poll',
      );
    } finally {
      // Whatever this domain's pass wrote (anything at all moved the stamp) is read afresh next time.
      if (this.options.store.changeStamp() !== stamp) this.records.markGroup(item.owner, item.group);
    }
  }

  /** The reconciler's deps with every cloud call counted; launches are logged at debug. */
  private metered(counts: CloudCallCounts): ReconcilerDeps {
    const base = this.options.reconciler;
    const log = this.options.log;
    const onLaunch = log.isLevelEnabled('debug')
      ? (request: { tags: Record<string, string> }) =>
          log.debug({ group: request.tags[TAG.group], at: Date.now() }, 'launch call')
      : undefined;
    const events = this.events;
    return {
      ...base,
      events,
      driverFor: async (owner, site) => meteredDriver(await base.driverFor(owner, site), counts, onLaunch, events),
    };
  }

  private get events(): ControllerEvents {
    return this.options.events ?? silentEvents;
  }

  /** Stops polling, aborts cloud calls in flight and waits for the current pass to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.abort.abort(new Error('controller stopping'));
    await this.running;
  }
}
