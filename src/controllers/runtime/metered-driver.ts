import { performance } from 'node:perf_hooks';
import { isCloudError, type CloudDriver, type LaunchRequest } from '../../contracts/cloud.ts';
import { silentEvents, type ControllerEvents } from '../../contracts/reconcile.ts';

/** Cloud calls made, by kind (a pass's cost as the clouds see it). */
export interface CloudCallCounts {
  list: number;
  launch: number;
  terminate: number;
}

export const noCalls = (): CloudCallCounts => ({ list: 0, launch: 0, terminate: 0 });

/**
 * The error kind a failed call is reported with: the CloudError's kind; `aborted` when the
 * controller was stopping; `other` for anything else (a bug, or a driver that did not classify).
 */
function errorKindOf(error: unknown, signal: AbortSignal): string {
  if (isCloudError(error)) return error.kind;
  return signal.aborted ? 'aborted' : 'other';
}

/**
 * Wraps a driver so every call is counted in `counts` (and launches reported to `onLaunch`
 * just before the call), and timed: each call's end is reported to `events.cloudCall` with its
 * site, operation (`list`, `launch`, `terminate`), duration and, when it failed, error kind.
 * Behaviour, errors and results are the wrapped driver's own.
 */
export function meteredDriver(
  driver: CloudDriver,
  counts: CloudCallCounts,
  onLaunch?: (request: LaunchRequest) => void,
  events: ControllerEvents = silentEvents,
): CloudDriver {
  const timed = async <T>(operation: string, signal: AbortSignal, call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      const result = await call();
      events.cloudCall({ site: driver.site, operation, durationMs: performance.now() - started });
      return result;
    } catch (error) {
      const errorKind = errorKindOf(error, signal);
      events.cloudCall({ site: driver.site, operation, durationMs: performance.now() - started, errorKind });
      throw error;
    }
  };
  return {
    site: driver.site,
    listInstances: (filter, signal) => {
      counts.list++;
      return timed('list', signal, () => driver.listInstances(filter, signal));
    },
    launch: (request, signal) => {
      counts.launch++;
      onLaunch?.(request);
      return timed('launch', signal, () => driver.launch(request, signal));
    },
    terminate: (ids, signal) => {
      counts.terminate++;
      return timed('terminate', signal, () => driver.terminate(ids, signal));
    },
  };
}
