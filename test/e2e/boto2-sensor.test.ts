/**
 * The original Phantom's sensor domain, as its `sensor_asg_create.py` made one, driven by boto 2
 * (Debian's python3-boto): the group with the original's tags (PHANTOM_DEFINITION=sensor_engine,
 * metric=load, thresholds, step sizes) is accepted, its instance pushes `load` with boto 2's
 * CloudWatch put_metric_data, and the domain scales up on it. In process, the controller on the
 * default simulated sites, a FixedClock near the real time (boto 2 signs with it); the sensor
 * round is driven by hand.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FixedClock } from '../../src/contracts/clock.ts';
import { eventually } from '../support/eventually.ts';
import { startTestServer, type TestCredentials, type TestServer } from '../support/harness.ts';
import { PYTHON, boto2Available, clientEnv, requireClient, run, scratchDir } from '../support/process.ts';

/** boto 2: the launch configuration and the sensor group, with sensor_asg_create.py's tags. */
const CREATE = `
import os
from boto.ec2.autoscale import AutoScaleConnection, AutoScalingGroup, LaunchConfiguration
from boto.ec2.autoscale.tag import Tag
from boto.ec2.regioninfo import RegionInfo
con = AutoScaleConnection(os.environ['KEY_ID'], os.environ['SECRET'], is_secure=False, port=int(os.environ['PORT']),
    region=RegionInfo(name='nimbus', endpoint='127.0.0.1'))
con.host = '127.0.0.1'
con.create_launch_configuration(LaunchConfiguration(con, name='sensed@hotel', image_id='hello-cloud',
    key_name='phantomkey', security_groups=['default'], instance_type='m1.small'))
tags = [Tag(connection=con, key=k, value=v, resource_id='sensed') for k, v in [
    ('PHANTOM_DEFINITION', 'sensor_engine'), ('sensor_type', 'opentsdb'), ('metric', 'load'),
    ('sample_function', 'Average'), ('minimum_vms', '1'), ('maximum_vms', '3'),
    ('scale_up_threshold', '2.0'), ('scale_up_n_vms', '1'), ('scale_down_threshold', '0.5'),
    ('scale_down_n_vms', '1'), ('iaas_allocation', 'm1.small')]]
con.create_auto_scaling_group(AutoScalingGroup(connection=con, group_name='sensed', availability_zones=['us-east-1'],
    launch_config='sensed@hotel', min_size=1, max_size=3, tags=tags))
print('created')
`;

/** boto 2: the instance reports its load (Query protocol), at the server's time. */
const REPORT = `
import datetime, os
from boto.ec2.cloudwatch import CloudWatchConnection
from boto.regioninfo import RegionInfo
c = CloudWatchConnection(os.environ['KEY_ID'], os.environ['SECRET'], is_secure=False, port=int(os.environ['PORT']),
    region=RegionInfo(name='us-east-1', endpoint='127.0.0.1'))
at = datetime.datetime.utcfromtimestamp(float(os.environ['AT']))
print(c.put_metric_data('Phantom', 'load', value=float(os.environ['LOAD']), timestamp=at,
    dimensions={'InstanceId': os.environ['INSTANCE']}))
`;

describe(
  'a sensor domain made with the original tags through boto 2',
  requireClient('boto 2 (/usr/bin/python3 + python3-boto)', boto2Available()),
  () => {
    const clock = new FixedClock(new Date(Math.floor(Date.now() / 60_000) * 60_000 + 1000));
    const home = scratchDir('phantom-boto2-sensor-');
    let server: TestServer;
    let creds: TestCredentials;

    before(async () => {
      server = await startTestServer({
        clock,
        env: { PHANTOM_CONTROLLER: 'on', PHANTOM_RECONCILE_INTERVAL_MS: '200' },
      });
      creds = await server.addUser('sally');
    });
    after(async () => {
      await server.close();
      home.remove();
    });

    const python = async (program: string, extra: Record<string, string> = {}) => {
      const r = await run(PYTHON, ['-'], {
        env: clientEnv(home.dir, {
          PORT: new URL(server.url).port,
          KEY_ID: creds.accessKeyId,
          SECRET: creds.secretAccessKey,
          ...extra,
        }),
        input: program,
        timeoutMs: 60_000,
      });
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim();
    };

    it('scales up when the pushed load averages above scale_up_threshold', async () => {
      assert.equal(await python(CREATE), 'created');
      const store = server.running.dataDir.store;
      const owner = (await store.getUserByName('sally'))!.id;
      const [instance] = await eventually('the first instance in service', async () => {
        const all = await store.listInstances(owner, { groupName: 'sensed' });
        return all.length === 1 && all[0]!.lifecycleState === 'InService' ? all : undefined;
      });
      const at = String(clock.now().getTime() / 1000);
      assert.equal(await python(REPORT, { AT: at, LOAD: '3.5', INSTANCE: instance!.instanceId }), 'True');
      clock.advance(60_000);
      assert.deepEqual(await server.running.loops!.sensors.round(), { evaluated: 1, changed: 1 });
      const group = (await store.getGroup(owner, 'sensed'))!;
      assert.deepEqual([group.minSize, group.desiredCapacity, group.maxSize], [1, 2, 3]);
      const [activity] = await store.listActivities(owner, { groupName: 'sensed', limit: 1 });
      assert.match(
        activity!.cause,
        /average load 3.5; thresholds 0.5\/2: 1 → 2\) changed the desired capacity from 1 to 2/,
      );
    });
  },
);
