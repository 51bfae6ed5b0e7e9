import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CloudDriver } from '../../contracts/cloud.ts';
import type { Store } from '../../contracts/store.ts';

/**
 * Gives the event loop a turn when more than `everyMs` passed since the last one. The embedded
 * store answers synchronously, so a reconcile otherwise runs on microtasks alone and holds API
 * requests until it ends.
 */
export class Yielder {
  private last = performance.now();

  constructor(private readonly everyMs: number) {}

  /** Resolves at once, or after one turn of the event loop when one is due. Never rejects. */
  async maybe(): Promise<void> {
    if (performance.now() - this.last <= this.everyMs) return;
    await nextTurn();
    this.last = performance.now();
  }
}

/** Store methods that stay as they are: synchronous ones, and transactions (nothing may run inside one). */
const PASS_THROUGH = new Set<string | symbol>(['changeStamp', 'ownerChangeStamp', 'sharedChangeStamp', 'transaction']);

/**
 * The store, each of whose calls first lets `yielder` give the event loop a turn when due.
 * Only calls made outside a transaction yield (a transaction's `tx` is the store's own).
 */
export function yieldingStore(store: Store, yielder: Yielder): Store {
  // One wrapper per method, made on first use (a store's methods never change).
  const wrappers = new Map<string | symbol, unknown>();
  return new Proxy(store, {
    get(target, property, receiver) {
      const known = wrappers.get(property);
      if (known !== undefined) return known;
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      const wrapper = PASS_THROUGH.has(property)
        ? method.bind(target)
        : async (...args: unknown[]) => {
            await yielder.maybe();
            return method.apply(target, args);
          };
      wrappers.set(property, wrapper);
      return wrapper;
    },
  });
}

/** The driver, each of whose calls first lets `yielder` give the event loop a turn when due. */
export function yieldingDriver(driver: CloudDriver, yielder: Yielder): CloudDriver {
  return {
    site: driver.site,
    listInstances: async (filter, signal) => {
      await yielder.maybe();
      return driver.listInstances(filter, signal);
    },
    launch: async (request, signal) => {
      await yielder.maybe();
      return driver.launch(request, signal);
    },
    terminate: async (ids, signal) => {
      await yielder.maybe();
      return driver.terminate(ids, signal);
    },
  };
}
