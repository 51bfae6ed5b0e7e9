import type { Logger } from 'pino';
import type { Store } from '../../contracts/store.ts';
import { reconcileDomain, type ReconcilerDeps } from '../domain-reconciler.ts';

/** Options of the controller runtime. */
export interface ControllerOptions {
  store: Store;
  reconciler: ReconcilerDeps;
  /** Required. How often every domain is reconciled even without an API write. */
  intervalMs: number;
  log: Logger;
}

/**
 * Level-triggered reconciliation of every domain: a periodic poll enqueues every group, an API
 * write enqueues its owner's groups at once (`pokeOwner`), keys are deduplicated, and one pass runs at a time (the
 * embedded store has one writer). A failing pass is logged and retried at the next poll; it
 * never stops the loop. Events only enqueue: each pass re-reads the world.
 */
export class Controller {
  private readonly queue = new Map<string, { owner: string; group: string }>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(private readonly options: ControllerOptions) {}

  /** Starts polling (and runs a first poll at once). Idempotent. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.poke(), this.options.intervalMs);
    this.timer.unref();
    this.poke();
  }

  /** Enqueues every group and makes sure a worker runs. Never throws. */
  poke(): void {
    this.enqueue(() => this.options.store.listAllGroups());
  }

  /** Enqueues one owner's groups (after that owner's API write). Never throws. */
  pokeOwner(owner: string): void {
    this.enqueue(() => this.options.store.listGroups(owner, { limit: Number.MAX_SAFE_INTEGER }));
  }

  private enqueue(list: () => Promise<Array<{ owner: string; name: string }>>): void {
    if (this.stopped) return;
    void list()
      .then((groups) => {
        for (const g of groups) this.queue.set(`${g.owner}\u0000${g.name}`, { owner: g.owner, group: g.name });
        this.drain();
      })
      .catch((err: unknown) => this.options.log.error({ err }, 'controller poll failed'));
  }

  private drain(): void {
    if (this.running || this.stopped) return;
    this.running = (async () => {
      while (this.queue.size > 0 && !this.stopped) {
        const [key, item] = this.queue.entries().next().value!;
        this.queue.delete(key);
        try {
          await reconcileDomain(this.options.reconciler, item.owner, item.group, this.abort.signal);
        } catch (err) {
          this.options.log.error({ err, owner: item.owner, group: item.group }, 'reconcile failed; retried at the next poll');
        }
      }
    })().finally(() => {
      this.running = undefined;
    });
  }

  /** Stops polling, aborts cloud calls in flight and waits for the current pass to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.abort.abort(new Error('controller stopping'));
    await this.running;
  }
}
