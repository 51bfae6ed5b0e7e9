/**
 * A target tracking policy whose customized metric names an operator's PromQL query
 * (Namespace Phantom/Prometheus) scales a group, against a real Prometheus scraping a load
 * gauge labelled with the owner and group: in process, the controller on, a FixedClock kept
 * near the real time (Prometheus answers instant queries at the evaluation time); the sampler
 * and alarm rounds are driven by hand.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  PutScalingPolicyCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import { FixedClock } from '../../src/contracts/clock.ts';
import { eventually } from '../support/eventually.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { requireClient } from '../support/process.ts';
import { prometheusAvailable, startTestPrometheus, type TestPrometheus } from '../support/prometheus.ts';

describe(
  'a policy driven by a PromQL query against a real Prometheus',
  requireClient('prometheus', prometheusAvailable),
  () => {
    const clock = new FixedClock(new Date(Math.floor(Date.now() / 10_000) * 10_000 + 1000));
    const dir = mkdtempSync(join(tmpdir(), 'phantom-promql-'));
    let prometheus: TestPrometheus;
    let server: TestServer;
    let asg: AutoScalingClient;
    const load = { owner: 'nobody-yet', value: 150, badValue: 'NaN' };

    before(async () => {
      prometheus = await startTestPrometheus(
        () =>
          [
            '# TYPE app_load gauge',
            `app_load{phantom_owner="${load.owner}",phantom_group="web"} ${load.value}`,
            `app_load{phantom_owner="${load.owner}",phantom_group="broken"} ${load.badValue}`,
            '',
          ].join('\n'),
        { query: 'app_load', series: 2 },
      );
      writeFileSync(
        join(dir, 'phantom.yaml'),
        [
          'sites:',
          '  hotel: { driver: sim }',
          'metrics:',
          '  prometheus:',
          `    url: ${prometheus.url}`,
          '    queries:',
          `      load: 'sum(app_load{phantom_owner="{{owner}}", phantom_group="{{group}}"})'`,
          '',
        ].join('\n'),
      );
      server = await startTestServer({
        clock,
        env: {
          PHANTOM_CONTROLLER: 'on',
          PHANTOM_RECONCILE_INTERVAL_MS: '200',
          PHANTOM_CONFIG: join(dir, 'phantom.yaml'),
        },
      });
      const creds = await server.addUser('pam');
      load.owner = (await server.running.dataDir.store.getUserByName('pam'))!.id;
      asg = server.sdk(creds);
      await asg.send(
        new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'web', ImageId: 'img', InstanceType: 't' }),
      );
      for (const name of ['web', 'broken'])
        await asg.send(
          new CreateAutoScalingGroupCommand({
            AutoScalingGroupName: name,
            LaunchConfigurationName: 'web',
            MinSize: 1,
            MaxSize: 6,
            DesiredCapacity: 1,
            AvailabilityZones: ['hotel'],
          }),
        );
      for (const name of ['web', 'broken'])
        await asg.send(
          new PutScalingPolicyCommand({
            AutoScalingGroupName: name,
            PolicyName: 'load50',
            PolicyType: 'TargetTrackingScaling',
            EstimatedInstanceWarmup: 0,
            TargetTrackingConfiguration: {
              TargetValue: 50,
              CustomizedMetricSpecification: {
                Namespace: 'Phantom/Prometheus',
                MetricName: 'load',
                Dimensions: [{ Name: 'AutoScalingGroupName', Value: name }],
                Statistic: 'Average',
                Period: 10,
              },
            },
          }),
        );
      // The exposition now names pam: wait until Prometheus has scraped it.
      const query = encodeURIComponent(`app_load{phantom_owner="${load.owner}"}`);
      await eventually('a scrape naming pam', async () => {
        const body = (await (await fetch(`${prometheus.url}/api/v1/query?query=${query}`)).json()) as {
          data?: { result?: unknown[] };
        };
        return body.data?.result?.length === 2 ? true : undefined;
      });
    });
    after(async () => {
      await server?.close();
      await prometheus?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const desired = async (name: string) =>
      (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0]!
        .DesiredCapacity!;

    it('samples the query each period and scales out on it; a NaN answer is a Failed activity, no scaling', async () => {
      const loops = server.running.loops!;
      assert.ok(loops.prometheus, 'the sampler runs when metrics.prometheus is configured');
      // Instant queries are answered at the clock's time: start sampling after the scrape that named pam.
      clock.set(new Date(Math.ceil(Date.now() / 10_000) * 10_000 + 1000));
      for (let i = 0; i < 4; i++) {
        assert.equal(
          await loops.prometheus.round(),
          2,
          'one query per group and metric (AlarmHigh and AlarmLow share it)',
        );
        clock.advance(10_000);
      }
      await loops.alarms.round();
      assert.equal(await desired('web'), 3, 'ceil(1 × 150 / 50)');
      assert.equal(await desired('broken'), 1);
      const activities = await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'broken' }));
      const failures = activities.Activities!.filter((a) => a.StatusCode === 'Failed');
      assert.equal(
        failures.length,
        1,
        `said once, not every period: ${JSON.stringify(failures.map((f) => [f.StatusMessage, f.StartTime]))}`,
      );
      assert.match(failures[0]!.StatusMessage ?? '', /NaN/);
    });
  },
);
