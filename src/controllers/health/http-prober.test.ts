import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { FixedClock } from '../../contracts/clock.ts';
import { HttpHealthProber } from './http-prober.ts';

/** A loopback health endpoint answering 200 after `delayMs`, counting requests and the most in flight at once. */
async function slowServer(delayMs: number) {
  let inFlight = 0;
  let maxInFlight = 0;
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    setTimeout(() => {
      inFlight--;
      res.writeHead(200, { connection: 'close' }).end('ok');
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    stats: () => ({ requests, maxInFlight }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('HttpHealthProber bounds', () => {
  it('runs at most maxInFlight probes at once across groups, and probes each instance at most once per interval', async () => {
    const server = await slowServer(50);
    const clock = new FixedClock();
    const prober = new HttpHealthProber({ clock, intervalMs: 5000, timeoutMs: 10_000 });
    const check = { urlTemplate: `http://{address}:${server.port}/health/{instance_id}`, failures: 1 };
    const instances = Array.from({ length: 40 }, (_, i) => ({ id: `i-${i}`, privateAddress: '127.0.0.1' }));
    const askAll = () => instances.forEach((x, i) => prober.verdict('ann', `group-${i % 4}`, check, x));
    askAll();
    askAll(); // asked again within the interval: nothing more is queued
    await prober.idle();
    assert.deepEqual(server.stats(), { requests: 40, maxInFlight: 16 }, 'all 40 probed, never more than 16 at once');
    assert.equal(prober.passedOnce('i-0'), true);
    clock.advance(4999);
    askAll();
    await prober.idle();
    assert.equal(server.stats().requests, 40, 'no instance is probed twice within the interval');
    clock.advance(1);
    askAll();
    await prober.idle();
    assert.equal(server.stats().requests, 80, 'one more probe each once the interval has passed');
    await server.close();
  });
});
