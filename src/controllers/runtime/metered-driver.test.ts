import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudError, type CloudDriver, type LaunchRequest } from '../../contracts/cloud.ts';
import type { ControllerEvents } from '../../contracts/reconcile.ts';
import { meteredDriver, noCalls } from './metered-driver.ts';

type Call = Parameters<ControllerEvents['cloudCall']>[0];

/** Events that keep the cloud calls reported. */
function recorder(): { events: ControllerEvents; calls: Call[] } {
  const calls: Call[] = [];
  return { calls, events: { decision: () => undefined, pass: () => undefined, cloudCall: (c) => calls.push(c) } };
}

const request = { clientToken: 't1', tags: {} } as unknown as LaunchRequest;

describe('meteredDriver', () => {
  it('reports each call with its site, operation, duration and, when it failed, the error kind', async () => {
    const driver: CloudDriver = {
      site: 'hotel',
      listInstances: async () => {
        await sleep(20);
        return [];
      },
      launch: async () => {
        throw new CloudError('capacity', 'no room');
      },
      terminate: async () => {
        throw new TypeError('a driver bug');
      },
    };
    const { events, calls } = recorder();
    const counts = noCalls();
    const metered = meteredDriver(driver, counts, undefined, events);
    const signal = new AbortController().signal;
    assert.deepEqual(await metered.listInstances({ tags: {} }, signal), []);
    await assert.rejects(metered.launch(request, signal), (e: unknown) => e instanceof CloudError);
    await assert.rejects(metered.terminate(['i-1'], signal), TypeError);
    assert.deepEqual(
      calls.map(({ site, operation, errorKind }) => ({ site, operation, errorKind })),
      [
        { site: 'hotel', operation: 'list', errorKind: undefined },
        { site: 'hotel', operation: 'launch', errorKind: 'capacity' },
        { site: 'hotel', operation: 'terminate', errorKind: 'other' },
      ],
    );
    assert.ok(calls[0]!.durationMs >= 15, `the list took ~20 ms, reported ${calls[0]!.durationMs}`);
    assert.deepEqual(counts, { list: 1, launch: 1, terminate: 1 });
  });

  it('reports a call cut short by the controller stopping as aborted', async () => {
    const abort = new AbortController();
    const driver: CloudDriver = {
      site: 'sierra',
      listInstances: (_filter, signal) =>
        new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
      launch: async () => assert.fail('not called'),
      terminate: async () => undefined,
    };
    const { events, calls } = recorder();
    const listing = meteredDriver(driver, noCalls(), undefined, events).listInstances({ tags: {} }, abort.signal);
    abort.abort(new Error('controller stopping'));
    await assert.rejects(listing, /controller stopping/);
    assert.equal(calls[0]?.errorKind, 'aborted');
  });
});
