import type { CloudDriver, LaunchRequest } from '../../contracts/cloud.ts';

/** Cloud calls made, by kind (a pass's cost as the clouds see it). */
export interface CloudCallCounts {
  list: number;
  launch: number;
  terminate: number;
}

export const noCalls = (): CloudCallCounts => ({ list: 0, launch: 0, terminate: 0 });

/**
 * Wraps a driver so every call is counted in `counts` (and launches reported to `onLaunch`
 * just before the call). Behaviour, errors and results are the wrapped driver's own.
 */
export function meteredDriver(
  driver: CloudDriver,
  counts: CloudCallCounts,
  onLaunch?: (request: LaunchRequest) => void,
): CloudDriver {
  return {
    site: driver.site,
    listInstances: (filter, signal) => {
      counts.list++;
      return driver.listInstances(filter, signal);
    },
    launch: (request, signal) => {
      counts.launch++;
      onLaunch?.(request);
      return driver.launch(request, signal);
    },
    terminate: (ids, signal) => {
      counts.terminate++;
      return driver.terminate(ids, signal);
    },
  };
}
