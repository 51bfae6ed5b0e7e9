/** Waits `ms` milliseconds; rejects with `signal.reason` when aborted. Injected so tests need no real time. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** A real-time Sleep on setTimeout. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
