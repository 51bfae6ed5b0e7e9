import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FixedClock } from '../contracts/clock.ts';
import type { LifecycleState } from '../contracts/records.ts';
import { captureLog } from '../../test/support/log-capture.ts';
import { parsePrometheusText, sampleValue } from '../../test/support/prom-text.ts';
import { Telemetry } from './telemetry.ts';

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** A Telemetry over a fake inventory, its captured log and a clock the test moves. */
function setup(inventory: Array<{ site: string; state: LifecycleState; count: number }> = [], groups = 0) {
  const clock = new FixedClock(new Date('2026-12-01T00:00:00Z'));
  const { log, lines, raw } = captureLog();
  const store = {
    countInstancesBySiteAndState: async () => inventory,
    countAllGroups: async () => groups,
  };
  const telemetry = new Telemetry({ log, store, clock });
  const scrape = async () => parsePrometheusText((await telemetry.scrape()).text);
  return { telemetry, clock, lines, raw, scrape };
}

describe('Telemetry', () => {
  it('logs each decision as one info line with its fields, and counts it', async () => {
    const { telemetry, lines, scrape } = setup();
    const until = new Date('2026-12-01T00:05:00Z');
    telemetry.decision({
      kind: 'launch',
      owner: 'alice',
      group: 'web',
      site: 'hotel',
      count: 3,
      reason: 'scale-out',
      activityId: 'act-1',
    });
    telemetry.decision({ kind: 'backoff-start', owner: 'alice', site: 'sierra', reason: 'capacity', until });
    assert.equal(lines.length, 2);
    assert.deepEqual(lines[0], {
      level: 30,
      time: lines[0]!.time,
      kind: 'launch',
      owner: 'alice',
      group: 'web',
      site: 'hotel',
      count: 3,
      reason: 'scale-out',
      activityId: 'act-1',
      msg: 'decision',
    });
    assert.equal(lines[1]!.until, '2026-12-01T00:05:00.000Z');
    assert.equal(lines[1]!.count, 1, 'a decision without a count concerns one instance');
    const metrics = await scrape();
    assert.equal(sampleValue(metrics, 'phantom_launches_total', { site: 'hotel', outcome: 'launched' }), 3);
    assert.equal(sampleValue(metrics, 'phantom_decisions_total', { kind: 'launch' }), 1);
    assert.equal(sampleValue(metrics, 'phantom_decisions_total', { kind: 'backoff-start' }), 1);
  });

  it('counts launches, failures and terminations by site; a free-form reason is labelled other', async () => {
    const { telemetry, scrape } = setup();
    telemetry.decision({ kind: 'launch-failed', owner: 'a', group: 'g', site: 'hotel', reason: 'capacity' });
    telemetry.decision({ kind: 'terminate', owner: 'a', group: 'g', site: 'hotel', count: 2, reason: 'scale-in' });
    telemetry.decision({ kind: 'terminate', owner: 'b', group: 'i-0123 gone', site: 'hotel', reason: 'i-0123 gone' });
    const metrics = await scrape();
    assert.equal(sampleValue(metrics, 'phantom_launches_total', { site: 'hotel', outcome: 'failed' }), 1);
    assert.equal(sampleValue(metrics, 'phantom_terminations_total', { site: 'hotel', reason: 'scale-in' }), 2);
    assert.equal(sampleValue(metrics, 'phantom_terminations_total', { site: 'hotel', reason: 'other' }), 1);
    const labels = [...metrics.values()].flatMap((f) => f.samples.flatMap((s) => Object.values(s.labels)));
    for (const forbidden of ['a', 'b', 'g', 'i-0123 gone'])
      assert.ok(!labels.includes(forbidden), `no owner, group or free text as a label: ${forbidden}`);
  });

  it('shows a site backed off while any backoff on it lasts, until its end or its expiry', async () => {
    const { telemetry, clock, scrape } = setup();
    const inMs = (ms: number) => new Date(clock.now().getTime() + ms);
    telemetry.decision({ kind: 'backoff-start', owner: 'a', site: 'hotel', reason: 'capacity', until: inMs(60_000) });
    telemetry.decision({ kind: 'backoff-start', owner: 'b', site: 'sierra', reason: 'quota', until: inMs(10_000) });
    let metrics = await scrape();
    assert.equal(sampleValue(metrics, 'phantom_site_backoff', { site: 'hotel' }), 1);
    assert.equal(sampleValue(metrics, 'phantom_site_backoff', { site: 'sierra' }), 1);
    telemetry.decision({ kind: 'backoff-end', owner: 'a', site: 'hotel', reason: 'capacity' });
    clock.advance(10_000);
    metrics = await scrape();
    assert.equal(sampleValue(metrics, 'phantom_site_backoff', { site: 'hotel' }), 0, 'ended');
    assert.equal(sampleValue(metrics, 'phantom_site_backoff', { site: 'sierra' }), 0, 'expired');
  });

  it('counts a shortfall episode once and shows the groups short now', async () => {
    const { telemetry, scrape } = setup();
    const short = { owner: 'a', group: 'g', reason: 'all sites full' };
    telemetry.decision({ kind: 'shortfall', ...short });
    telemetry.decision({ kind: 'shortfall', ...short });
    telemetry.decision({ kind: 'shortfall', owner: 'b', group: 'g', reason: 'all sites full' });
    let metrics = await scrape();
    assert.equal(sampleValue(metrics, 'phantom_shortfall_groups'), 2);
    assert.equal(sampleValue(metrics, 'phantom_shortfall_episodes_total'), 2);
    telemetry.decision({ kind: 'shortfall-end', ...short });
    telemetry.decision({ kind: 'shortfall', ...short });
    metrics = await scrape();
    assert.equal(sampleValue(metrics, 'phantom_shortfall_groups'), 2);
    assert.equal(sampleValue(metrics, 'phantom_shortfall_episodes_total'), 3, 'a new episode after the end');
  });

  it('times passes, cloud calls and API requests, and counts cloud errors by kind', async () => {
    const { telemetry, scrape } = setup();
    telemetry.pass({ kind: 'routine', domains: 10, durationMs: 40 });
    telemetry.pass({ kind: 'urgent', domains: 1, durationMs: 2 });
    telemetry.cloudCall({ site: 'hotel', operation: 'launch', durationMs: 120, errorKind: 'capacity' });
    telemetry.cloudCall({ site: 'hotel', operation: 'list', durationMs: 8 });
    telemetry.apiRequest({ action: 'DescribeAutoScalingGroups', status: 200, durationMs: 0.4 });
    telemetry.apiRequest({ status: 403, durationMs: 0.2 });
    const m = await scrape();
    assert.equal(sampleValue(m, 'phantom_reconcile_pass_duration_seconds_sum', { kind: 'routine' }), 0.04);
    assert.equal(sampleValue(m, 'phantom_reconcile_pass_duration_seconds_count', { kind: 'urgent' }), 1);
    assert.equal(
      sampleValue(m, 'phantom_cloud_call_duration_seconds_sum', { site: 'hotel', operation: 'launch' }),
      0.12,
    );
    assert.equal(sampleValue(m, 'phantom_cloud_call_duration_seconds_count', { site: 'hotel', operation: 'list' }), 1);
    assert.equal(sampleValue(m, 'phantom_cloud_errors_total', { site: 'hotel', kind: 'capacity' }), 1);
    assert.equal(m.get('phantom_cloud_errors_total')?.samples.length, 1, 'the successful call is no error');
    assert.equal(sampleValue(m, 'phantom_api_requests_total', { action: 'DescribeAutoScalingGroups', code: '200' }), 1);
    assert.equal(sampleValue(m, 'phantom_api_requests_total', { action: 'unknown', code: '403' }), 1);
    assert.equal(sampleValue(m, 'phantom_api_request_duration_seconds_bucket', { action: 'unknown', le: '0.0005' }), 1);
  });

  it("records each batch's longest event-loop hold in a histogram, and the longest so far by kind", async () => {
    const { telemetry, scrape } = setup();
    telemetry.pass({ kind: 'routine', domains: 10, durationMs: 40, longestHoldMs: 4 });
    telemetry.pass({ kind: 'routine', domains: 10, durationMs: 90, longestHoldMs: 12 });
    telemetry.pass({ kind: 'routine', domains: 10, durationMs: 30, longestHoldMs: 3 });
    telemetry.pass({ kind: 'urgent', domains: 1, durationMs: 2, longestHoldMs: 2 });
    telemetry.pass({ kind: 'urgent', domains: 1, durationMs: 2 }); // not measured: not observed
    const m = await scrape();
    const hold = 'phantom_controller_longest_hold_seconds';
    assert.equal(sampleValue(m, `${hold}_count`, { kind: 'routine' }), 3);
    assert.equal(sampleValue(m, `${hold}_bucket`, { kind: 'routine', le: '0.01' }), 2, 'one hold over 10 ms');
    assert.equal(sampleValue(m, `${hold}_count`, { kind: 'urgent' }), 1);
    assert.equal(sampleValue(m, 'phantom_controller_longest_hold_max_seconds', { kind: 'routine' }), 0.012);
    assert.equal(sampleValue(m, 'phantom_controller_longest_hold_max_seconds', { kind: 'urgent' }), 0.002);
  });

  it('reads instances and groups from the store at each scrape; a state that empties disappears', async () => {
    const inventory: Array<{ site: string; state: LifecycleState; count: number }> = [
      { site: 'hotel', state: 'InService', count: 4 },
      { site: 'hotel', state: 'Pending', count: 1 },
    ];
    const { scrape } = setup(inventory, 2);
    let m = await scrape();
    assert.equal(sampleValue(m, 'phantom_instances', { site: 'hotel', state: 'InService' }), 4);
    assert.equal(sampleValue(m, 'phantom_groups'), 2);
    inventory.pop();
    m = await scrape();
    assert.equal(sampleValue(m, 'phantom_instances', { site: 'hotel', state: 'Pending' }), undefined);
    assert.equal(
      sampleValue(m, 'phantom_build_info', { version: PACKAGE_VERSION, node_version: process.versions.node }),
      1,
    );
  });

  it('still serves the other metrics when the store cannot be read', async () => {
    const { log, lines } = captureLog();
    const failing = {
      countInstancesBySiteAndState: () => Promise.reject(new Error('database closed')),
      countAllGroups: async () => 1,
    };
    const telemetry = new Telemetry({ log, store: failing, clock: new FixedClock() });
    telemetry.apiRequest({ action: 'CreateAutoScalingGroup', status: 200, durationMs: 3 });
    const m = parsePrometheusText((await telemetry.scrape()).text);
    assert.equal(sampleValue(m, 'phantom_api_requests_total', { action: 'CreateAutoScalingGroup' }), 1);
    assert.equal(lines.find((l) => l.msg === 'metrics: could not read the store')?.level, 40);
  });

  it('logs each site added and removed, one line each', () => {
    const { telemetry, lines } = setup();
    assert.equal(telemetry.sitesChanged(['hotel', 'sierra'], ['hotel', 'sierra']), false);
    assert.equal(telemetry.sitesChanged(['hotel', 'sierra'], ['hotel', 'tango']), true);
    assert.deepEqual(
      lines.map((l) => [l.msg, l.site]),
      [
        ['site added', 'tango'],
        ['site removed', 'sierra'],
      ],
    );
  });
});
