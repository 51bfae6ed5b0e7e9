import type { ReconcileResult } from '../../contracts/reconcile.ts';
import type { DomainReads } from '../domain-reads.ts';
import { reconcileDomain, type ReconcilerDeps, type SiteObserver } from '../domain-reconciler.ts';

/** How one domain's reconcile ended. */
export type ReconcileOutcome =
  | { ok: true; result: ReconcileResult }
  /** `settled` resolves when an abandoned (timed out) reconcile has really ended. */
  | { ok: false; error: unknown; timedOut: boolean; settled: Promise<void> };

/**
 * Runs one domain's reconcile with a deadline: after `timeoutMs` its signal is aborted (so
 * cloud calls that honour it end) and the outcome is a timeout at once, even when something
 * inside ignores the abort. Never throws: a reconcile's error is the outcome.
 */
export async function reconcileOnce(
  deps: ReconcilerDeps,
  item: { owner: string; group: string },
  options: {
    abort: AbortSignal;
    timeoutMs: number;
    using: { observe?: SiteObserver; reads?: DomainReads };
    reconcile?: typeof reconcileDomain;
  },
): Promise<ReconcileOutcome> {
  const reconcile = options.reconcile ?? reconcileDomain;
  const deadline = new AbortController();
  const signal = AbortSignal.any([options.abort, deadline.signal]);
  const run = Promise.resolve()
    .then(() => reconcile(deps, item.owner, item.group, signal, options.using))
    .then(
      (result): ReconcileOutcome => ({ ok: true, result }),
      (error: unknown): ReconcileOutcome => ({ ok: false, error, timedOut: false, settled: Promise.resolve() }),
    );
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<ReconcileOutcome>((resolve) => {
    timer = setTimeout(() => {
      const error = new Error(`reconcile of group ${item.group} took longer than ${options.timeoutMs} ms`);
      deadline.abort(error);
      resolve({
        ok: false,
        error,
        timedOut: true,
        settled: run.then(
          () => undefined,
          () => undefined,
        ),
      });
    }, options.timeoutMs);
  });
  try {
    return await Promise.race([run, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
