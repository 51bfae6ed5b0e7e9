import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CloudDriver } from '../../contracts/cloud.ts';
import type { Store } from '../../contracts/store.ts';
import { HoldRecorder } from './hold-recorder.ts';

/**
 * Gives the event loop a turn when the code has held it for more than `everyMs` since it last
 * turned (on purpose or while awaiting I/O). The embedded store answers synchronously, so a
 * reconcile otherwise runs on microtasks alone and holds API requests until it ends. Its
 * `holds` recorder measures the longest slice between two turns (open a watch per batch).
 */
export class Yielder {
  constructor(
    private readonly everyMs: number,
    readonly holds: HoldRecorder = new HoldRecorder(),
  ) {}

  /** Resolves at once, or after one turn of the event loop when one is due. Never rejects. */
  async maybe(): Promise<void> {
    if (this.holds.sliceMs() <= this.everyMs) return;
    await this.turn();
  }

  /** Gives the event loop one turn now. Never rejects. */
  async turn(): Promise<void> {
    this.holds.yielding();
    await nextTurn();
    this.holds.turned();
  }

  /** Call after an await that may have let the loop turn (a cloud call): a new slice starts if it did. */
  resumed(): void {
    this.holds.checkpoint();
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
    listInstances: (filter, signal) => resuming(yielder, () => driver.listInstances(filter, signal)),
    launch: (request, signal) => resuming(yielder, () => driver.launch(request, signal)),
    terminate: (ids, signal) => resuming(yielder, () => driver.terminate(ids, signal)),
  };
}

/** Runs `call` after a turn when one is due, and tells `yielder` when it settles (the loop may have turned meanwhile). */
async function resuming<T>(yielder: Yielder, call: () => Promise<T>): Promise<T> {
  await yielder.maybe();
  try {
    return await call();
  } finally {
    yielder.resumed();
  }
}
