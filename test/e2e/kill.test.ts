/**
 * Crash safety (DESIGN.md §5) and lost launch responses: the real `phantom server` drives two sites served by
 * `phantom sim-cloud` processes (which outlive it), and is SIGKILLed at random points while
 * several domains scale up and down. Afterwards every domain converges, no instance is left
 * without an owner after the grace window, and no launch intent produced two instances.
 * The state of the world is checked in the clouds themselves, not in Phantom's records.
 *
 * Two runs: two EC2 sites that lose 10% of launch responses (PHANTOM_KILLS kills, default 50;
 * at least one lost response is required to have happened), and an OpenStack site (the fake
 * Keystone + Nova, first-ranked) with an EC2 site (PHANTOM_OPENSTACK_KILLS, default 20), where
 * no deterministic server name may have two servers either.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AutoScalingClient,
  paginateDescribeScalingActivities,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
import { EC2Client, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import { seededRandom } from '../../src/lib/random.ts';
import { freePort, PHANTOM_BIN, REPO_ROOT, run } from '../support/process.ts';

const DOMAINS = ['alpha', 'beta', 'gamma'];
const ADMIN = { accessKeyId: 'AKIDKILLTESTADMIN000', secretAccessKey: 'kill-test-secret' };
const OS_USER = { name: 'fg-user', password: 'fg-password' };
/** The server's grace window (PHANTOM_GRACE_MS). */
const GRACE_MS = 3000;
/**
 * How long Phantom's records may lag the clouds once the clouds have converged. Nova lists a
 * deleted server no more, so Phantom cannot tell "deleted" from "not listed yet" and keeps the
 * record of a missing server until it is older than the grace window: a server launched and
 * deleted within the last GRACE_MS (e.g. a launch intent retried after a restart, then shed
 * because desired dropped meanwhile) still shows as Terminating. A few passes on a loaded
 * machine come on top; a record lost or duplicated for good still fails.
 */
const RECORDS_LAG_MS = GRACE_MS + 10_000;

/** One site of a kill run: its name and the API its sim-cloud speaks. */
interface KillSite {
  name: string;
  api: 'ec2' | 'openstack';
  /** Share of launches the cloud carries out but whose response it drops (default 0). */
  loseRate?: number;
  /** Seed of the cloud's chance events, so which launches lose their response repeats run to run. */
  seed?: number;
}

/** One instance as the clouds report it (deleted ones included). */
interface Seen {
  id: string;
  state: 'running' | 'pending' | 'terminated' | string;
  group?: string;
  intent?: string;
  /** The Nova server name (openstack sites). */
  name?: string;
}

async function waitForHttp(url: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Every server of a fake OpenStack, deleted ones too (`changes-since`), over all pages. */
async function novaWorld(url: string): Promise<Seen[]> {
  const auth = await fetch(`${url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: OS_USER.name, domain: { name: 'Default' }, password: OS_USER.password } },
        },
        scope: { project: { name: 'phantom', domain: { name: 'Default' } } },
      },
    }),
  });
  const token = auth.headers.get('x-subject-token') ?? '';
  const all: Seen[] = [];
  let marker = '';
  for (;;) {
    const res = await fetch(
      `${url}/compute/v2.1/servers/detail?changes-since=2000-01-01T00:00:00Z&limit=500${marker ? `&marker=${marker}` : ''}`,
      { headers: { 'x-auth-token': token } },
    );
    const body = (await res.json()) as {
      servers: Array<{ id: string; name: string; status: string; metadata: Record<string, string> }>;
      servers_links?: unknown[];
    };
    const states: Record<string, string> = { ACTIVE: 'running', BUILD: 'pending', DELETED: 'terminated' };
    for (const s of body.servers)
      all.push({
        id: s.id,
        state: states[s.status] ?? s.status,
        group: s.metadata['phantom:group'],
        intent: s.metadata['phantom:intent'],
        name: s.name,
      });
    const last = body.servers[body.servers.length - 1];
    if (!body.servers_links?.length || !last) return all;
    marker = last.id;
  }
}

function killSuite(title: string, kills: number, sites: readonly KillSite[]): void {
  describe(`controller kill test${title}: SIGKILL at random points, ${kills} times`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'phantom-kill-'));
    const clouds: ChildProcess[] = [];
    const cloudUrls: Record<string, string> = {};
    let port = 0;
    let server: ChildProcess | undefined;
    const env = () => ({
      ...process.env,
      PHANTOM_LISTEN: `127.0.0.1:${port}`,
      PHANTOM_DATA_DIR: join(dir, 'data'),
      PHANTOM_CONFIG: join(dir, 'sites.yaml'),
      PHANTOM_ACCESS_KEY: ADMIN.accessKeyId,
      PHANTOM_SECRET_KEY: ADMIN.secretAccessKey,
      PHANTOM_RECONCILE_INTERVAL_MS: '100',
      PHANTOM_GRACE_MS: String(GRACE_MS),
      PHANTOM_BACKOFF_INITIAL_MS: '200',
      PHANTOM_LOG_LEVEL: 'fatal',
      PHANTOM_METRICS_LISTEN: 'off',
    });
    const startServer = async () => {
      server = spawn(PHANTOM_BIN, ['server'], { cwd: REPO_ROOT, env: env(), stdio: 'ignore' });
      await waitForHttp(`http://127.0.0.1:${port}/`);
    };
    const kill = async () => {
      const s = server;
      if (!s || s.exitCode !== null) return;
      const exited = new Promise((r) => s.once('exit', r));
      s.kill('SIGKILL');
      await exited;
    };
    const asg = () =>
      new AutoScalingClient({
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        credentials: ADMIN,
        maxAttempts: 1,
      });
    const siteYaml = (s: KillSite): string =>
      s.api === 'ec2'
        ? `  ${s.name}:\n    driver: ec2\n    endpoint: ${cloudUrls[s.name]}\n    region: us-east-1\n`
        : `  ${s.name}:\n    driver: openstack\n    authUrl: ${cloudUrls[s.name]}/identity/v3\n    region: RegionOne\n    project: phantom\n`;

    before(async () => {
      for (const site of sites) {
        const cloudPort = await freePort();
        const api = site.api === 'ec2' ? [] : ['--api', 'openstack', '--user', `${OS_USER.name}:${OS_USER.password}`];
        const child = spawn(
          PHANTOM_BIN,
          [
            'sim-cloud',
            ...api,
            '--listen',
            `127.0.0.1:${cloudPort}`,
            '--state',
            join(dir, `${site.name}.json`),
            '--site',
            site.name,
            '--boot-ms',
            '300',
            '--lose-launch-response-rate',
            String(site.loseRate ?? 0),
            ...(site.seed !== undefined ? ['--seed', String(site.seed)] : []),
          ],
          { cwd: REPO_ROOT, stdio: 'ignore' },
        );
        clouds.push(child);
        cloudUrls[site.name] = `http://127.0.0.1:${cloudPort}`;
        await waitForHttp(cloudUrls[site.name]!);
      }
      writeFileSync(join(dir, 'sites.yaml'), `sites:\n${sites.map(siteYaml).join('')}`);
      port = await freePort();
      await startServer(); // creates the admin user from PHANTOM_ACCESS_KEY/SECRET_KEY
      // The sim-clouds accept any EC2 key, but ec2 and openstack sites still need the user's credentials.
      for (const site of sites) {
        const kind =
          site.api === 'ec2'
            ? ['--access-key', 'AKIDSIMCLOUD', '--secret-key', 'sim']
            : ['--username', OS_USER.name, '--password', OS_USER.password];
        const set = await run(PHANTOM_BIN, ['credentials', 'set', site.name, '--user', 'admin', ...kind], {
          env: env() as Record<string, string>,
        });
        assert.equal(set.code, 0, set.stderr);
      }
      const client = asg();
      for (const site of sites)
        await client.send(
          new CreateLaunchConfigurationCommand({
            LaunchConfigurationName: `web@${site.name}`,
            ImageId: site.api === 'ec2' ? 'ami-1' : 'ubuntu-22.04',
            InstanceType: 'm1.small',
          }),
        );
      const [first, second] = sites;
      for (const name of DOMAINS) {
        await client.send(
          new CreateAutoScalingGroupCommand({
            AutoScalingGroupName: name,
            LaunchConfigurationName: `web@${first!.name}`,
            MinSize: 2,
            MaxSize: 2,
            AvailabilityZones: ['us-east-1'],
            Tags: [
              { Key: 'PHANTOM_DEFINITION', Value: 'error_overflow_n_preserving' },
              { Key: 'clouds', Value: `${first!.name}:3,${second!.name}:-1` },
            ],
          }),
        );
      }
    });

    after(async () => {
      await kill();
      for (const c of clouds) c.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    });

    it('converges with no duplicate and no orphan', async () => {
      const seed = Number(process.env.PHANTOM_KILL_SEED ?? Date.now() % 100000);
      const random = seededRandom(seed); // the seed is in every failure message, to replay it
      const desired = new Map(DOMAINS.map((d) => [d, 2]));
      const started = Date.now();
      for (let k = 0; k < kills; k++) {
        const name = DOMAINS[Math.floor(random() * DOMAINS.length)]!;
        const size = Math.floor(random() * 6);
        try {
          await asg().send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: size }));
          desired.set(name, size);
        } catch {
          // the previous kill may have raced the request; the size stays what it was
        }
        await new Promise((r) => setTimeout(r, Math.floor(random() * 400)));
        await kill();
        await startServer();
      }
      // Converged: each domain has exactly its desired number of running instances in the clouds.
      const ec2 = Object.fromEntries(
        sites
          .filter((s) => s.api === 'ec2')
          .map((s) => [
            s.name,
            new EC2Client({
              endpoint: cloudUrls[s.name],
              region: 'us-east-1',
              credentials: { accessKeyId: 'AKIDSIMCLOUD', secretAccessKey: 'sim' },
              maxAttempts: 1,
            }),
          ]),
      );
      const world = async () => {
        const all: Seen[] = [];
        for (const site of sites) {
          if (site.api === 'openstack') {
            all.push(...(await novaWorld(cloudUrls[site.name]!)));
            continue;
          }
          for await (const page of paginateDescribeInstances({ client: ec2[site.name]! }, {})) {
            for (const r of page.Reservations ?? [])
              for (const i of r.Instances ?? []) {
                const tag = (k: string) => i.Tags?.find((t) => t.Key === k)?.Value;
                all.push({
                  id: i.InstanceId!,
                  state: i.State?.Name ?? '',
                  group: tag('phantom:group'),
                  intent: tag('phantom:intent'),
                });
              }
          }
        }
        return all;
      };
      const killedAt = Date.now();
      const deadline = Date.now() + 45_000;
      let live: Seen[] = [];
      for (;;) {
        live = (await world()).filter((i) => i.state !== 'terminated');
        const running = (name: string) => live.filter((i) => i.group === name && i.state === 'running').length;
        if (DOMAINS.every((d) => running(d) === desired.get(d)) && live.every((i) => i.state === 'running')) break;
        if (Date.now() > deadline)
          assert.fail(
            `seed ${seed}: not converged: want ${JSON.stringify([...desired])}, clouds have ${JSON.stringify(live)}`,
          );
        await new Promise((r) => setTimeout(r, 200));
      }
      const convergedMs = Date.now() - killedAt;
      // Phantom reports each domain as the clouds have it: the same instance ids, once it has forgotten
      // the servers deleted within its grace window (RECORDS_LAG_MS). The clouds must stay converged meanwhile.
      const phantomVsClouds = async (): Promise<string | undefined> => {
        const reported = (await asg().send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
        live = (await world()).filter((i) => i.state !== 'terminated');
        for (const name of DOMAINS) {
          const g = reported.find((r) => r.AutoScalingGroupName === name);
          const phantom = (g?.Instances ?? []).map((i) => i.InstanceId!).sort();
          const clouds = live.filter((i) => i.group === name && i.state === 'running').map((i) => i.id);
          const agree = JSON.stringify(phantom) === JSON.stringify(clouds.sort());
          if (!agree || clouds.length !== desired.get(name))
            return `Phantom reports ${name} as the clouds have it: want ${desired.get(name)}, Phantom ${JSON.stringify(
              g?.Instances?.map((i) => [i.InstanceId, i.LifecycleState]),
            )}, clouds ${JSON.stringify(live.filter((i) => i.group === name))}`;
        }
        return undefined;
      };
      const agreeDeadline = Date.now() + RECORDS_LAG_MS;
      const lagged = await phantomVsClouds(); // shown below: what Phantom still had when the clouds converged
      for (let mismatch = lagged; mismatch !== undefined; mismatch = await phantomVsClouds()) {
        if (Date.now() > agreeDeadline) assert.fail(`seed ${seed}: ${mismatch} after ${RECORDS_LAG_MS} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const agreedMs = Date.now() - killedAt - convergedMs;
      // Launches whose response the cloud dropped show as Failed activities with a connection error.
      let lost = 0;
      for (const name of DOMAINS) {
        for await (const page of paginateDescribeScalingActivities({ client: asg() }, { AutoScalingGroupName: name })) {
          lost += (page.Activities ?? []).filter(
            (a) => a.StatusCode === 'Failed' && /ECONNRESET|socket hang up/i.test(a.StatusMessage ?? ''),
          ).length;
        }
      }
      process.stdout.write(
        `# kill test${title}: ${kills} kills in ${killedAt - started} ms, converged ${convergedMs} ms after the last restart, Phantom's records ${agreedMs} ms later${lagged ? ` (${lagged})` : ''}; ${lost} launch responses lost (seed ${seed})\n`,
      );
      if (sites.some((s) => (s.loseRate ?? 0) > 0))
        assert.ok(lost > 0, `seed ${seed}: no launch response was lost, so the 10% loss was not exercised`);
      // No orphan: every live instance belongs to a domain and is counted above.
      assert.equal(
        live.length,
        [...desired.values()].reduce((a, b) => a + b, 0),
        `seed ${seed}: orphans ${JSON.stringify(live)}`,
      );
      // No intent produced two instances, and no server name has two servers, terminated ones included.
      const everything = await world();
      const twice = (key: (i: Seen) => string | undefined): Array<[string, number]> => {
        const count = new Map<string, number>();
        for (const i of everything) {
          const k = key(i);
          if (k !== undefined) count.set(k, (count.get(k) ?? 0) + 1);
        }
        return [...count].filter(([, n]) => n > 1);
      };
      assert.deepEqual(
        twice((i) => i.intent),
        [],
        `seed ${seed}: intents with two instances`,
      );
      assert.deepEqual(
        twice((i) => i.name),
        [],
        `seed ${seed}: server names with two servers`,
      );
    });
  });
}

// The EC2 run also loses 10% of launch responses (issue 3: "lost responses … zero duplicates").
// Seeded clouds: with seed 3 the sim's second draw (the first launch's) is below 0.1, so hotel
// loses the very first launch response of every run, and others follow at 10%.
killSuite(' (10% of launch responses lost)', Number(process.env.PHANTOM_KILLS ?? 50), [
  { name: 'hotel', api: 'ec2', loseRate: 0.1, seed: 3 },
  { name: 'sierra', api: 'ec2', loseRate: 0.1, seed: 12 },
]);
killSuite(' (openstack + ec2)', Number(process.env.PHANTOM_OPENSTACK_KILLS ?? 20), [
  { name: 'india', api: 'openstack' },
  { name: 'hotel', api: 'ec2' },
]);
