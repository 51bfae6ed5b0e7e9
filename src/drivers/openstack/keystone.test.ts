import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FixedClock } from '../../contracts/clock.ts';
import { CloudError } from '../../contracts/cloud.ts';
import type { FetchLike } from './http.ts';
import { tokenRequestBody, type OpenStackAuth } from './keystone.ts';
import { OpenStackDriver } from './openstack-driver.ts';

const live = (): AbortSignal => new AbortController().signal;
const AUTH: OpenStackAuth = {
  kind: 'password',
  username: 'ann',
  password: 'pw-canary',
  userDomain: 'Default',
  project: { name: 'p', domain: 'Default' },
};

/** A scripted Keystone + Nova: counts token requests; Nova answers 401 to tokens listed in `rejected`. */
function scripted(clock: FixedClock, ttlMs: number) {
  const calls: string[] = [];
  const rejected = new Set<string>();
  let issued = 0;
  let keystoneStatus = 201;
  const catalog = [
    {
      type: 'compute',
      endpoints: [
        { interface: 'public', region_id: 'Other', url: 'http://other/compute' },
        { interface: 'internal', region_id: 'RegionOne', url: 'http://internal/compute' },
        { interface: 'public', region_id: 'RegionOne', url: 'http://nova/compute/' },
      ],
    },
  ];
  const fetchImpl: FetchLike = async (url, init) => {
    calls.push(`${init.method} ${url}`);
    if (url.endsWith('/auth/tokens')) {
      if (keystoneStatus !== 201)
        return new Response(
          JSON.stringify({
            error: {
              code: keystoneStatus,
              message: 'The request you have made requires authentication.',
              title: 'Unauthorized',
            },
          }),
          { status: keystoneStatus },
        );
      issued++;
      const expires = new Date(clock.now().getTime() + ttlMs).toISOString();
      return new Response(JSON.stringify({ token: { expires_at: expires, catalog } }), {
        status: 201,
        headers: { 'x-subject-token': `tok-${issued}` },
      });
    }
    const token = (init.headers as Record<string, string>)['x-auth-token'] ?? '';
    if (rejected.has(token))
      return new Response(
        JSON.stringify({ error: { code: 401, message: 'The request you have made requires authentication.' } }),
        { status: 401 },
      );
    return new Response(JSON.stringify({ servers: [] }), { status: 200 });
  };
  return {
    calls,
    rejected,
    fetchImpl,
    issued: () => issued,
    failKeystone: (status: number) => (keystoneStatus = status),
  };
}

describe('Keystone token handling', () => {
  it('builds password and application-credential requests', () => {
    assert.deepEqual(tokenRequestBody(AUTH), {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'ann', domain: { name: 'Default' }, password: 'pw-canary' } },
        },
        scope: { project: { name: 'p', domain: { name: 'Default' } } },
      },
    });
    assert.deepEqual(tokenRequestBody({ ...AUTH, project: { id: 'abc' } }), {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'ann', domain: { name: 'Default' }, password: 'pw-canary' } },
        },
        scope: { project: { id: 'abc' } },
      },
    });
    assert.deepEqual(tokenRequestBody({ kind: 'application-credential', id: 'i', secret: 's' }), {
      auth: { identity: { methods: ['application_credential'], application_credential: { id: 'i', secret: 's' } } },
    });
  });

  it('caches the token, picks the catalog endpoint by region and interface, renews before expiry', async () => {
    const clock = new FixedClock();
    const s = scripted(clock, 3_600_000);
    const driver = new OpenStackDriver({
      site: 'x',
      authUrl: 'http://keystone/v3/',
      auth: AUTH,
      region: 'RegionOne',
      clock,
      fetch: s.fetchImpl,
    });
    await driver.listInstances({ tags: {} }, live());
    await driver.listInstances({ tags: {} }, live());
    assert.equal(s.issued(), 1);
    assert.match(s.calls[1] ?? '', /^GET http:\/\/nova\/compute\/servers\/detail\?name=/);
    assert.equal(s.calls[0], 'POST http://keystone/v3/auth/tokens');
    clock.advance(3_600_000 - 300_000 - 1); // just before the renew margin (5 min)
    await driver.listInstances({ tags: {} }, live());
    assert.equal(s.issued(), 1);
    clock.advance(2);
    await driver.listInstances({ tags: {} }, live());
    assert.equal(s.issued(), 2, 'renewed 5 minutes before expiry');
  });

  it('short-lived tokens renew at half their lifetime', async () => {
    const clock = new FixedClock();
    const s = scripted(clock, 60_000);
    const driver = new OpenStackDriver({
      site: 'x',
      authUrl: 'http://keystone/v3',
      auth: AUTH,
      clock,
      fetch: s.fetchImpl,
    });
    await driver.listInstances({ tags: {} }, live());
    clock.advance(30_000);
    await driver.listInstances({ tags: {} }, live());
    assert.equal(s.issued(), 2);
  });

  it('a 401 from Nova renews the token and retries once; a second 401 is an auth error', async () => {
    const clock = new FixedClock();
    const s = scripted(clock, 3_600_000);
    const driver = new OpenStackDriver({
      site: 'x',
      authUrl: 'http://keystone/v3',
      auth: AUTH,
      clock,
      fetch: s.fetchImpl,
    });
    await driver.listInstances({ tags: {} }, live());
    s.rejected.add('tok-1');
    await driver.listInstances({ tags: {} }, live());
    assert.equal(s.issued(), 2);
    s.rejected.add('tok-2');
    s.rejected.add('tok-3');
    await assert.rejects(
      driver.listInstances({ tags: {} }, live()),
      (e: unknown) => e instanceof CloudError && e.kind === 'auth',
    );
    assert.equal(s.issued(), 3, 'exactly one renewal per call');
  });

  it('Keystone refusing the credentials is an auth error naming the user but never the password', async () => {
    const clock = new FixedClock();
    const s = scripted(clock, 3_600_000);
    s.failKeystone(401);
    const driver = new OpenStackDriver({
      site: 'x',
      authUrl: 'http://keystone/v3',
      auth: AUTH,
      clock,
      fetch: s.fetchImpl,
    });
    await assert.rejects(
      driver.listInstances({ tags: {} }, live()),
      (e: unknown) =>
        e instanceof CloudError &&
        e.kind === 'auth' &&
        /user ann \(domain Default\) in project p/.test(e.message) &&
        !/pw-canary/.test(e.message),
    );
    s.failKeystone(503);
    await assert.rejects(
      driver.listInstances({ tags: {} }, live()),
      (e: unknown) => e instanceof CloudError && e.kind === 'throttled',
    );
  });

  it('an unreachable Keystone is transient; a missing compute endpoint is invalid', async () => {
    const clock = new FixedClock();
    const down: FetchLike = async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
    };
    const driver = new OpenStackDriver({ site: 'x', authUrl: 'http://127.0.0.1:1/v3', auth: AUTH, clock, fetch: down });
    await assert.rejects(
      driver.listInstances({ tags: {} }, live()),
      (e: unknown) => e instanceof CloudError && e.kind === 'transient' && /ECONNREFUSED/.test(e.message),
    );
    const s = scripted(clock, 3_600_000);
    const wrongRegion = new OpenStackDriver({
      site: 'x',
      authUrl: 'http://keystone/v3',
      auth: AUTH,
      region: 'Mars',
      clock,
      fetch: s.fetchImpl,
    });
    await assert.rejects(
      wrongRegion.listInstances({ tags: {} }, live()),
      (e: unknown) =>
        e instanceof CloudError &&
        e.kind === 'invalid' &&
        /no compute endpoint \(interface public, region Mars\)/.test(e.message),
    );
  });

  it('a request that outlives requestTimeoutMs is transient', async () => {
    const clock = new FixedClock();
    const hang: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) =>
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    const driver = new OpenStackDriver({
      site: 'x',
      authUrl: 'http://keystone/v3',
      auth: AUTH,
      clock,
      fetch: hang,
      requestTimeoutMs: 20,
    });
    // AbortSignal.timeout's timer does not keep the process alive; a real server's sockets do.
    const keepAlive = setTimeout(() => undefined, 10_000);
    try {
      await assert.rejects(
        driver.listInstances({ tags: {} }, live()),
        (e: unknown) => e instanceof CloudError && e.kind === 'transient' && /timed out after 20 ms/.test(e.message),
      );
    } finally {
      clearTimeout(keepAlive);
    }
  });
});

describe('Keystone token sharing', () => {
  it('concurrent calls share one token request; one caller aborting fails only that caller', async () => {
    const clock = new FixedClock();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let issued = 0;
    const fetchImpl: FetchLike = async (url) => {
      if (url.endsWith('/auth/tokens')) {
        issued++;
        await gate;
        return new Response(
          JSON.stringify({
            token: {
              expires_at: new Date(clock.now().getTime() + 3_600_000).toISOString(),
              catalog: [{ type: 'compute', endpoints: [{ interface: 'public', url: 'http://nova' }] }],
            },
          }),
          { status: 201, headers: { 'x-subject-token': 't' } },
        );
      }
      return new Response(JSON.stringify({ servers: [] }), { status: 200 });
    };
    const driver = new OpenStackDriver({
      site: 'x',
      authUrl: 'http://keystone/v3',
      auth: AUTH,
      clock,
      fetch: fetchImpl,
    });
    const quitter = new AbortController();
    const reason = new Error('gave up');
    const first = driver.listInstances({ tags: {} }, quitter.signal);
    const second = driver.listInstances({ tags: {} }, live());
    quitter.abort(reason);
    await assert.rejects(first, (e) => e === reason);
    release();
    assert.deepEqual(await second, []);
    assert.equal(issued, 1);
  });
});
