/**
 * The server explains itself: Prometheus metrics scraped over HTTP from its own listener (parsed
 * strictly, and checked by promtool when installed), the access log and lifecycle lines captured
 * from pino with no secret in any line, and the /healthz and /readyz probes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import { startOpenStackSimServer, type OpenStackSimServer } from '../../src/sim-cloud/openstack/server.ts';
import { eventually } from '../support/eventually.ts';
import { startTestServer, type TestCredentials, type TestServer } from '../support/harness.ts';
import { canListSockets, listeningPorts } from '../support/listening.ts';
import { captureLog, type LogLine } from '../support/log-capture.ts';
import { parsePrometheusText, promtoolCheck, sampleValue, type Family } from '../support/prom-text.ts';

const CLOUD_PASSWORD = 'os-pw-s3cret-4711';
const WRONG_PASSWORD = 'wrong-pw-s3cret-0815';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Creates a launch configuration and a domain of `desired` instances on the openstack site. */
async function domainOnIndia(server: TestServer, creds: TestCredentials, password: string, desired: number) {
  const { credentials, accounts } = server.running.dataDir;
  const record = await accounts.requireUser(creds.user);
  await credentials.set(record, 'india', { kind: 'openstack-password', username: 'fg-user', password });
  const client = server.sdk(creds);
  await client.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: 'web@india',
      ImageId: 'ubuntu-22.04',
      InstanceType: 'm1.small',
    }),
  );
  await client.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: `${creds.user}-web`,
      LaunchConfigurationName: 'web@india',
      MinSize: desired,
      MaxSize: desired,
      AvailabilityZones: ['india'],
      Tags: [
        { Key: 'PHANTOM_DEFINITION', Value: 'error_overflow_n_preserving' },
        { Key: 'clouds', Value: 'india:-1' },
      ],
    }),
  );
  return client;
}

const inService = async (client: AutoScalingClient, name: string): Promise<number> =>
  (
    (await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups?.[0]
      ?.Instances ?? []
  ).filter((i) => i.LifecycleState === 'InService').length;

/** Every label value of every sample. */
const labelValues = (families: Map<string, Family>): string[] =>
  [...families.values()].flatMap((f) => f.samples.flatMap((s) => Object.values(s.labels)));

describe('observability of a running server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-observe-'));
  const captured = captureLog('info');
  let india: OpenStackSimServer;
  let server: TestServer;
  let carol: TestCredentials;
  let dave: TestCredentials;

  before(async () => {
    india = await startOpenStackSimServer({
      host: '127.0.0.1',
      port: 0,
      site: 'india',
      stateFile: join(dir, 'india.json'),
      knobs: { bootMs: 50 },
      users: [{ name: 'fg-user', password: CLOUD_PASSWORD }],
      images: ['ubuntu-22.04'],
    });
    writeFileSync(
      join(dir, 'sites.yaml'),
      `sites:\n  india:\n    driver: openstack\n    authUrl: ${india.authUrl}\n    region: RegionOne\n    project: phantom\n  hotel:\n    driver: sim\n`,
    );
    server = await startTestServer({
      log: captured.log,
      env: {
        PHANTOM_CONFIG: join(dir, 'sites.yaml'),
        PHANTOM_CONTROLLER: 'on',
        PHANTOM_RECONCILE_INTERVAL_MS: '100',
        PHANTOM_METRICS_LISTEN: '127.0.0.1:0',
      },
    });
    carol = await server.addUser('carol');
    dave = await server.addUser('dave');
  });
  after(async () => {
    await server?.close();
    await india?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves metrics a walkthrough moved, in valid Prometheus text, with no owner or group as a label', async () => {
    const client = await domainOnIndia(server, carol, CLOUD_PASSWORD, 2);
    await domainOnIndia(server, dave, WRONG_PASSWORD, 1);
    await eventually('carol has 2 instances in service', async () =>
      (await inService(client, 'carol-web')) === 2 ? true : undefined,
    );
    const families = await eventually('a scrape shows the failed launches of dave', async () => {
      const scraped = parsePrometheusText(await (await fetch(server.running.metricsUrl!)).text());
      return (sampleValue(scraped, 'phantom_cloud_errors_total', { site: 'india', kind: 'auth' }) ?? 0) > 0
        ? scraped
        : undefined;
    });
    const response = await fetch(server.running.metricsUrl!);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const check = promtoolCheck(await response.text());
    if (check) assert.ok(check.ok, `promtool check metrics: ${check.output}`);

    const value = (name: string, labels: Record<string, string> = {}) => sampleValue(families, name, labels) ?? 0;
    assert.equal(value('phantom_api_requests_total', { action: 'CreateAutoScalingGroup', code: '200' }), 2);
    assert.ok(value('phantom_api_request_duration_seconds_count', { action: 'DescribeAutoScalingGroups' }) >= 1);
    assert.equal(value('phantom_instances', { site: 'india', state: 'InService' }), 2);
    assert.equal(value('phantom_groups'), 2);
    assert.ok(value('phantom_cloud_call_duration_seconds_count', { site: 'india', operation: 'launch' }) >= 2);
    assert.ok(value('phantom_cloud_call_duration_seconds_count', { site: 'india', operation: 'list' }) >= 1);
    assert.ok(value('phantom_reconcile_pass_duration_seconds_count', { kind: 'routine' }) >= 1);
    assert.equal(
      value('phantom_controller_longest_hold_seconds_count', { kind: 'routine' }),
      value('phantom_reconcile_pass_duration_seconds_count', { kind: 'routine' }),
      'every pass reports its longest event-loop hold',
    );
    const longestHold = value('phantom_controller_longest_hold_max_seconds', { kind: 'routine' });
    assert.ok(longestHold > 0 && longestHold < 5, `the longest hold of a pass: ${longestHold} s`);
    assert.equal(value('phantom_build_info', { node_version: process.versions.node }), 1);
    for (const name of ['phantom_launches_total', 'phantom_terminations_total', 'phantom_site_backoff'])
      assert.ok(families.has(name), `${name} is exported`);
    const users = await server.running.dataDir.store.listUsers();
    const forbidden = [...users.flatMap((u) => [u.id, u.name]), 'carol-web', 'dave-web'];
    for (const label of labelValues(families)) assert.ok(!forbidden.includes(label), `no per-user label: ${label}`);
  });

  it('logs one request line per API call, with action, user, status and request id, and never a secret', async () => {
    const wrongSecret = server.sdk({ ...carol, secretAccessKey: 'not-carols-secret-either' });
    await assert.rejects(wrongSecret.send(new DescribeAutoScalingGroupsCommand({})));
    const requests = captured.lines.filter((l) => l.msg === 'request');
    const created = requests.find((l) => l.action === 'CreateAutoScalingGroup' && l.user === 'carol');
    assert.ok(created, 'carol created a group');
    assert.equal(created.level, 30);
    assert.equal(created.method, 'POST');
    assert.equal(created.status, 200);
    assert.equal(typeof created.durationMs, 'number');
    assert.match(String(created.requestId), UUID);
    const refused = requests[requests.length - 1] as LogLine;
    assert.equal(refused.status, 403);
    assert.equal(refused.user, undefined, 'an unverified caller is not named');
    const serving = captured.lines.find((l) => l.msg === 'phantom serving');
    assert.equal(serving?.metricsUrl, server.running.metricsUrl);

    const secrets = [server.admin.secretAccessKey, carol.secretAccessKey, dave.secretAccessKey];
    for (const secret of [...secrets, CLOUD_PASSWORD, WRONG_PASSWORD, 'not-carols-secret-either'])
      for (const line of captured.raw) assert.ok(!line.includes(secret), `a log line holds a secret: ${line}`);
    assert.ok(captured.raw.length > requests.length, 'the scan covered more than the access log');
  });

  it('logs a site added and removed by the CLI (another process writing the store) while it runs', async () => {
    const { store } = server.running.dataDir;
    const siteLine = (msg: string) => captured.lines.find((l) => l.msg === msg && l.site === 'juliet');
    const now = new Date();
    await store.putSite({ name: 'juliet', driver: 'sim', settings: {}, createdTime: now, updatedTime: now });
    const added = await eventually('a site added line', async () => siteLine('site added'));
    assert.equal(added.level, 30);
    await store.deleteSite('juliet');
    await eventually('a site removed line', async () => siteLine('site removed'));
    assert.equal(captured.lines.filter((l) => l.site === 'juliet' && l.msg === 'site added').length, 1, 'said once');
  });

  it('answers the probes unauthenticated, in plain text, outside the access log', async () => {
    const before = captured.lines.filter((l) => l.msg === 'request').length;
    for (const [path, body] of [
      ['/healthz', 'ok'],
      ['/readyz', 'ready'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 200, path);
      assert.equal(await response.text(), body);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    }
    assert.equal(captured.lines.filter((l) => l.msg === 'request').length, before);
  });

  it('leaves the Query API every other request on those paths (an Action, a POST)', async () => {
    for (const init of [
      { url: `${server.url}/healthz?Action=DescribeAutoScalingGroups` },
      { url: `${server.url}/readyz`, method: 'POST', body: 'Action=DescribeAutoScalingGroups' },
    ]) {
      const response = await fetch(init.url, {
        method: init.method ?? 'GET',
        ...(init.body ? { body: init.body, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
      });
      assert.equal(response.status, 403, init.url);
      assert.match(await response.text(), /<Code>MissingAuthenticationToken<\/Code>/);
    }
  });
});

describe('a server with the metrics listener and the access log off', () => {
  it('listens on the API port only, logs no request, and is not ready once its store is closed', async () => {
    const captured = captureLog('info');
    const ports = canListSockets ? listeningPorts() : [];
    const server = await startTestServer({
      log: captured.log,
      env: { PHANTOM_METRICS_LISTEN: 'off', PHANTOM_ACCESS_LOG: 'off' },
    });
    try {
      assert.equal(server.running.metricsUrl, undefined);
      if (canListSockets)
        assert.deepEqual(
          listeningPorts().filter((p) => !ports.includes(p)),
          [server.port],
        );
      await server.sdk(server.admin).send(new DescribeAutoScalingGroupsCommand({}));
      assert.equal(captured.lines.filter((l) => l.msg === 'request').length, 0);

      assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
      await server.running.dataDir.store.close();
      const notReady = await fetch(`${server.url}/readyz`);
      assert.equal(notReady.status, 503);
      assert.equal(await notReady.text(), 'not ready');
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the process still serves');
    } finally {
      await server.close();
    }
  });
});
