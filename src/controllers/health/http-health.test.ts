import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PhantomError } from '../../contracts/errors.ts';
import { SCALING_PROCESSES } from '../../domain/processes.ts';
import { healthCheckUrl, parseHealthCheck } from '../../domain/health-check.ts';
import { openSimCloud, type SimCloud } from '../../drivers/sim/open.ts';
import { seededRandom } from '../../lib/random.ts';
import { EngineRegistry } from '../../engines/registry.ts';
import { createGroup, setProcessesSuspended } from '../../services/groups.ts';
import { reconcileDomain } from '../domain-reconciler.ts';
import { SiteBackoff } from '../runtime/backoff.ts';
import { HttpHealthProber } from './http-prober.ts';
import { createSiteEntries, serviceWorld } from '../reconcile/testkit.ts';

const tag = (key: string, value: string) => ({ key, value, propagateAtLaunch: false });

describe('health check tags', () => {
  it('parse a URL template and a failure count, with clear errors', () => {
    assert.equal(parseHealthCheck([tag('clouds', 'hotel:1')]), undefined);
    const check = parseHealthCheck([tag('health_check_url', 'http://{address}:8080/health?id={instance_id}')]);
    assert.deepEqual(check, { urlTemplate: 'http://{address}:8080/health?id={instance_id}', failures: 3 });
    assert.equal(
      healthCheckUrl(check!, { id: 'i-1', privateAddress: '10.0.0.7' }),
      'http://10.0.0.7:8080/health?id=i-1',
    );
    assert.equal(
      healthCheckUrl(check!, { id: 'i-1', publicAddress: '2001:db8::1', privateAddress: '10.0.0.7' }),
      'http://[2001:db8::1]:8080/health?id=i-1',
    );
    assert.equal(
      healthCheckUrl(
        { urlTemplate: 'http://{public_address}/', failures: 1 },
        { id: 'i-1', privateAddress: '10.0.0.7' },
      ),
      undefined,
    );
    const refused = (tags: ReturnType<typeof tag>[], message: RegExp) =>
      assert.throws(
        () => parseHealthCheck(tags),
        (e: unknown) => e instanceof PhantomError && e.code === 'Validation' && message.test(e.message),
      );
    refused([tag('health_check_url', 'http://{host}/')], /unknown placeholder \{host\}/);
    refused([tag('health_check_url', 'ftp://{address}/')], /must be an http or https URL/);
    refused([tag('health_check_url', 'not a url')], /must be an http or https URL/);
    refused([tag('health_check_url', 'http://{address}/'), tag('health_check_failures', '0')], /from 1 to 10/);
    refused([tag('health_check_url', 'http://{address}/'), tag('health_check_failures', '2.5')], /from 1 to 10/);
    refused([tag('health_check_failures', '3')], /needs a health_check_url tag/);
  });
});

describe('HTTP health checks in the reconciler', () => {
  let server: Server;
  let port = 0;
  const failing = new Set<string>();
  const probed: string[] = [];
  before(async () => {
    server = createServer((req, res) => {
      const id = req.url!.split('/').pop()!;
      probed.push(id);
      res.writeHead(failing.has(id) ? 500 : 200).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  async function world(extraTags: ReturnType<typeof tag>[]) {
    const { store, clock, user, services } = await serviceWorld(['hotel'], { healthCheckAllowHosts: ['127.0.0.1'] });
    await createSiteEntries(services, user, 'web', ['hotel']);
    const tags = [
      tag('PHANTOM_DEFINITION', 'error_overflow_n_preserving'),
      tag('clouds', 'hotel:-1'),
      tag('health_check_url', `http://127.0.0.1:${port}/health/{instance_id}`),
      tag('health_check_failures', '2'),
      ...extraTags,
    ];
    await createGroup(services, user, {
      name: 'web',
      launchConfigurationName: 'web@hotel',
      minSize: 3,
      maxSize: 3,
      healthCheckGracePeriod: 30,
      availabilityZones: ['hotel'],
      loadBalancerNames: [],
      targetGroupARNs: [],
      tags,
    });
    const sim: SimCloud = openSimCloud({ site: 'hotel', clock, random: seededRandom(3), knobs: { bootMs: 1000 } });
    const verdicts: string[] = [];
    const health = new HttpHealthProber({
      clock,
      intervalMs: 5000,
      timeoutMs: 2000,
      allowHosts: ['127.0.0.1'],
      onUnhealthy: (_o, g) => verdicts.push(g),
    });
    let next = 0;
    const deps = {
      store,
      clock,
      installationId: 'i',
      driverFor: async () => sim.driver,
      backoff: new SiteBackoff({ initialMs: 1000, maxMs: 1000 }),
      engines: new EngineRegistry(),
      knownSites: () => ['hotel'],
      newIntentId: () => `intent-${++next}`,
      graceMs: 60_000,
      health,
    };
    const pass = async (advanceMs: number) => {
      clock.advance(advanceMs);
      await reconcileDomain(deps, user.id, 'web', new AbortController().signal);
      await health.idle();
    };
    const live = () =>
      sim.state
        .list({}, clock.now().getTime())
        .filter((i) => i.state === 'pending' || i.state === 'running')
        .map((i) => i.id);
    return { store, user, services, sim, pass, live, verdicts };
  }

  it('waits out the grace period, then replaces an instance that fails N checks in a row, saying why', async () => {
    probed.length = 0;
    const w = await world([]);
    await w.pass(0);
    await w.pass(1500);
    assert.equal(probed.length, 0, 'no probe within HealthCheckGracePeriod (30 s)');
    const [sick, ...well] = w.live() as [string, ...string[]];
    failing.add(sick);
    await w.pass(30_000);
    assert.equal(probed.filter((id) => id === sick).length, 1);
    assert.deepEqual(w.live().sort(), [sick, ...well].sort(), 'one failure is not yet a verdict');
    await w.pass(1000);
    assert.equal(probed.filter((id) => id === sick).length, 1, 'probes keep their interval');
    await w.pass(5000);
    assert.deepEqual(w.verdicts, ['web'], 'the second failure is a verdict, and the group is poked');
    await w.pass(10);
    assert.ok(!w.live().includes(sick), 'the unhealthy instance is terminated');
    assert.equal(w.live().length, 3, 'and replaced');
    for (const id of well) assert.ok(w.live().includes(id), 'healthy instances stay');
    const activities = await w.store.listActivities(w.user.id, { groupName: 'web', limit: 20 });
    const termination = activities.find((a) => a.description === `Terminating EC2 instance: ${sick}`);
    assert.match(
      termination?.cause ?? '',
      /health status being Unhealthy \(HTTP health check failed 2 times in a row: GET http:\/\/127\.0\.0\.1:\d+\/health\/i-[0-9a-f]+ answered 500\)/,
    );
  });

  it('checks nothing while HealthCheck is suspended', async () => {
    probed.length = 0;
    const w = await world([]);
    await setProcessesSuspended(w.services, w.user, 'web', ['HealthCheck'], true, SCALING_PROCESSES);
    for (const step of [0, 1500, 31_000, 5000, 5000]) await w.pass(step);
    assert.deepEqual(probed, []);
    assert.equal(w.live().length, 3);
  });
});
