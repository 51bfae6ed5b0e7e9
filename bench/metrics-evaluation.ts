/**
 * The evaluation half of bench:metrics, in process:
 * - one evaluation round of 1,000 groups with a target tracking policy each (its two alarms on
 *   a 10-second customized metric, 2,000 alarms, every one due): wall and CPU time of
 *   AlarmEvaluator.round() over a SQLite store and the in-memory metric store (best of 3);
 * - metric breach → first launch call: a real server (controller on, a zero-boot sim site, the
 *   real clock) with a target tracking policy on a 10-second metric, fed 150 against a target of
 *   50 every second; the time from the close of the third breaching period (when AlarmHigh's
 *   3 of 3 holds) to the controller's first launch call (its debug log line).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { FixedClock, systemClock } from '../src/contracts/clock.ts';
import type { AlarmRecord } from '../src/contracts/alarm.ts';
import { AlarmEvaluator } from '../src/controllers/runtime/alarm-evaluator.ts';
import { targetTrackingAlarms } from '../src/engines/policies/target-tracking-alarms.ts';
import { startServer } from '../src/main.ts';
import { MetricStore } from '../src/metrics/store/metric-store.ts';
import type { ServiceDeps } from '../src/services/deps.ts';
import { createGroup } from '../src/services/groups.ts';
import { createLaunchConfiguration } from '../src/services/launch-configurations.ts';
import { PageTokens } from '../src/services/page-tokens.ts';
import { putScalingPolicy } from '../src/services/policies.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';

const datum = (group: string, value: number, atMs: number) => ({
  metricName: 'Load',
  dimensions: [{ name: 'AutoScalingGroupName', value: group }],
  timestampMs: atMs,
  stats: { sampleCount: 1, sum: value, minimum: value, maximum: value },
  unit: 'None',
  highResolution: true,
});

/**
 * Rounds over `groups` target tracking policies' alarms, every alarm due each time: the first
 * (every alarm leaves INSUFFICIENT_DATA: 2,000 state changes written), then steady rounds (a
 * few changes): the best of the last 3 of 6, wall and CPU ms.
 */
export async function evaluationRound(
  groups = 1000,
): Promise<{ wallMs: number; cpuMs: number; alarms: number; firstWallMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-bench-eval-'));
  const store = await openSqliteStore({ file: join(dir, 'phantom.db') });
  const clock = new FixedClock(new Date('2026-12-08T10:00:00.500Z'));
  const metrics = new MetricStore({ clock, maxSeriesPerOwner: groups + 10 });
  try {
    await store.createUser({ id: 'u', name: 'u', isAdmin: false, createdTime: clock.now(), limits: {} });
    const records: AlarmRecord[] = [];
    for (let g = 0; g < groups; g++) {
      const policyArn = `arn:phantom:autoscaling:phantom:u:scalingPolicy:${g}:autoScalingGroupName/g${g}:policyName/tt`;
      const config = {
        targetValue: 50,
        disableScaleIn: false,
        metric: {
          kind: 'customized' as const,
          namespace: 'App',
          metricName: 'Load',
          dimensions: [{ name: 'AutoScalingGroupName', value: `g${g}` }],
          statistic: 'Average' as const,
          period: 10,
        },
      };
      for (const definition of targetTrackingAlarms({
        groupName: `g${g}`,
        policyArn,
        config,
        ids: { high: `${g}h`, low: `${g}l` },
      }))
        records.push({
          owner: 'u',
          arn: `arn:alarm:${definition.name}`,
          definition,
          state: 'INSUFFICIENT_DATA',
          stateReason: 'Unchecked',
          stateUpdatedTime: clock.now(),
          configurationUpdatedTime: clock.now(),
          ownerPolicyArn: policyArn,
        });
    }
    await store.transaction(async (tx) => {
      for (const r of records) await tx.putAlarm(r);
    });
    const evaluator = new AlarmEvaluator({
      store,
      metrics,
      clock,
      log: pino({ level: 'silent' }),
      invokePolicy: async () => ({ applied: false, reason: 'bench' }),
    });
    let best = { wallMs: Infinity, cpuMs: Infinity };
    let firstWallMs = 0;
    for (let round = 0; round < 6; round++) {
      // One more 10-second period of data for every group: every alarm is due again.
      for (let g = 0; g < groups; g++) metrics.put('u', 'App', [datum(`g${g}`, 40 + (g % 30), clock.now().getTime())]);
      clock.advance(10_000);
      const cpu = process.cpuUsage();
      const start = performance.now();
      await evaluator.round();
      const wallMs = performance.now() - start;
      const used = process.cpuUsage(cpu);
      if (round === 0) firstWallMs = wallMs;
      if (round >= 3 && wallMs < best.wallMs) best = { wallMs, cpuMs: (used.user + used.system) / 1000 };
    }
    return { ...best, alarms: records.length, firstWallMs };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Breach → first launch call on a real server with the real clock (see the file's header). */
export async function breachToLaunch(): Promise<{ latencyMs: number; periodMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-bench-breach-'));
  writeFileSync(join(dir, 'sites.yaml'), 'sites:\n  hotel:\n    driver: sim\n    bootMs: 0\n');
  const launches: number[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n'))
        if (line.includes('"launch call"')) launches.push((JSON.parse(line) as { at: number }).at);
      done();
    },
  });
  const config = loadConfig(
    {
      PHANTOM_LISTEN: '127.0.0.1:0',
      PHANTOM_DATA_DIR: join(dir, 'data'),
      PHANTOM_METRICS_LISTEN: 'off',
      PHANTOM_CONFIG: join(dir, 'sites.yaml'),
      PHANTOM_LOG_LEVEL: 'debug',
    },
    dir,
  );
  const running = await startServer(config, { log: pino({ level: 'debug' }, sink), print: () => {} });
  const feeder: { timer?: NodeJS.Timeout } = {};
  try {
    const user = await running.dataDir.accounts.createUser('bench');
    const deps: ServiceDeps = {
      store: running.dataDir.store,
      clock: systemClock,
      sites: () => running.dataDir.sites.names(),
      defaultLimits: config.defaultLimits,
      pageTokens: new PageTokens(Buffer.alloc(32)),
    };
    await createLaunchConfiguration(deps, user, {
      name: 'web',
      imageId: 'img',
      instanceType: 't',
      securityGroups: [],
      instanceMonitoring: false,
      ebsOptimized: false,
    });
    await createGroup(deps, user, {
      name: 'web',
      launchConfigurationName: 'web',
      minSize: 1,
      maxSize: 10,
      desiredCapacity: 1,
      availabilityZones: ['hotel'],
      loadBalancerNames: [],
      targetGroupARNs: [],
      tags: [],
    });
    await putScalingPolicy(deps, user, 'web', {
      policyName: 'tt',
      policyType: 'TargetTrackingScaling',
      estimatedInstanceWarmup: 0,
      targetTracking: {
        targetValue: 50,
        customized: {
          namespace: 'App',
          metricName: 'Load',
          dimensions: [{ name: 'AutoScalingGroupName', value: 'web' }],
          statistic: 'Average',
          period: 10,
        },
      },
    });
    // Let the first instance launch and come into service, then start breaching at the next period boundary.
    for (let waited = 0; ; waited += 100) {
      const [first] = await running.dataDir.store.listInstances(user.id, { groupName: 'web' });
      if (first?.lifecycleState === 'InService') break;
      if (waited > 20_000) throw new Error('the first instance never came into service');
      await new Promise((r) => setTimeout(r, 100));
    }
    const firstBoundary = Math.ceil(Date.now() / 10_000) * 10_000;
    await new Promise((r) => setTimeout(r, firstBoundary - Date.now() + 50));
    launches.length = 0;
    const feed = () => running.metricStore.put(user.id, 'App', [datum('web', 150, Date.now())]);
    feed();
    feeder.timer = setInterval(feed, 1000);
    const breachAt = firstBoundary + 30_000; // the third breaching period closes
    const deadline = breachAt + 30_000;
    while (launches.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (launches.length === 0) throw new Error('no launch call within 30 s of the breach');
    if (launches[0]! < breachAt)
      throw new Error(`a launch call ${breachAt - launches[0]!} ms before the breach: not the policy's`);
    return { latencyMs: launches[0]! - breachAt, periodMs: 10_000 };
  } finally {
    clearInterval(feeder.timer);
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
