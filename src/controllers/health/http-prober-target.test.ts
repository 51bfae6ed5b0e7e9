import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FixedClock } from '../../contracts/clock.ts';
import { parseHealthCheck } from '../../domain/health-check.ts';
import { HttpHealthProber } from './http-prober.ts';

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

describe('HttpHealthProber targets', () => {
  const hits: string[] = [];
  let redirecting: Server;
  let elsewhere: Server;
  let port = 0;
  let elsewherePort = 0;
  before(async () => {
    elsewhere = createServer((req, res) => {
      hits.push(`elsewhere ${req.url}`);
      res.writeHead(500).end();
    });
    elsewherePort = await listen(elsewhere);
    redirecting = createServer((req, res) => {
      hits.push(`instance ${req.url}`);
      res.writeHead(302, { location: `http://127.0.0.1:${elsewherePort}/secret` }).end();
    });
    port = await listen(redirecting);
  });
  after(() => {
    redirecting.close();
    elsewhere.close();
  });

  const probeOnce = async (url: string, allowHosts?: string[]) => {
    const prober = new HttpHealthProber({
      clock: new FixedClock(new Date(0)),
      intervalMs: 1000,
      timeoutMs: 2000,
      ...(allowHosts ? { allowHosts } : {}),
    });
    const check = parseHealthCheck([{ key: 'health_check_url', value: url, propagateAtLaunch: false }])!;
    const instance = { id: 'i-1', privateAddress: '127.0.0.1' };
    prober.verdict('u', 'g', { ...check, failures: 1 }, instance);
    await prober.idle();
    return prober.verdict('u', 'g', { ...check, failures: 1 }, instance);
  };

  it('counts a 3xx as a pass and never follows it', async () => {
    hits.length = 0;
    assert.equal(await probeOnce(`http://{private_address}:${port}/health`), undefined);
    assert.deepEqual(hits, ['instance /health'], 'the redirect target saw nothing');
  });

  it('probes a stored URL naming another host only when the operator allows that host', async () => {
    hits.length = 0;
    const refused = await probeOnce(`http://127.0.0.1:${elsewherePort}/x`);
    assert.match(refused ?? '', /host must be \{address\}, \{public_address\} or \{private_address\}/);
    assert.deepEqual(hits, [], 'nothing was sent');
    const allowed = await probeOnce(`http://127.0.0.1:${elsewherePort}/x`, ['127.0.0.1']);
    assert.match(allowed ?? '', /answered 500/);
    assert.deepEqual(hits, ['elsewhere /x']);
  });
});
