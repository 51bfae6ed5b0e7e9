/**
 * Seeding for bench:api: Phantom data dirs filled through the services, and moto with the same
 * groups, so every target answers the same Describe.
 */
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
} from '@aws-sdk/client-auto-scaling';
import { PageTokens } from '../src/services/page-tokens.ts';
import { loadConfig } from '../src/config/config.ts';
import { systemClock } from '../src/contracts/clock.ts';
import { openDataDir } from '../src/data-dir.ts';
import { createGroup } from '../src/services/groups.ts';
import { createLaunchConfiguration } from '../src/services/launch-configurations.ts';

/** The benchmark users' key pairs: the poller (20 domains × 5 instances) and the churner. */
export const KEY = { accessKeyId: 'AKIDBENCHMARK0000000', secretAccessKey: 'bench-secret/key+1234567890abcdefghij' };
export const CHURN_KEY = {
  accessKeyId: 'AKIDBENCHCHURN000000',
  secretAccessKey: 'bench-churn/key+1234567890abcdefghijk',
};
/** The poller's group names. */
export const GROUP_NAMES = Array.from({ length: 20 }, (_, g) => `domain-${String(g).padStart(2, '0')}`);

/**
 * Fills a fresh data dir through the services: the user `bench` with 20 Phantom domains of 5
 * instances each (in the store only: no cloud has them), and the user `churner` with one domain
 * of 5 on the simulated site hotel, which the controller (when on) launches.
 */
export async function seed(env: NodeJS.ProcessEnv): Promise<void> {
  const config = loadConfig(env);
  const data = await openDataDir(config, systemClock);
  const user = await data.accounts.createUser('bench');
  await data.accounts.setKey(user, KEY);
  const deps = {
    store: data.store,
    clock: systemClock,
    sites: () => ['hotel', 'sierra'],
    defaultLimits: config.defaultLimits,
    pageTokens: new PageTokens(data.box.derive('page-tokens')),
  };
  for (const site of ['hotel', 'sierra'])
    await createLaunchConfiguration(deps, user, {
      name: `web@${site}`,
      imageId: 'hello-cloud',
      instanceType: 'm1.small',
      securityGroups: ['default'],
      instanceMonitoring: false,
      ebsOptimized: false,
    });
  for (const [g, name] of GROUP_NAMES.entries()) {
    const tags = [
      ['PHANTOM_DEFINITION', 'error_overflow_n_preserving'],
      ['clouds', 'hotel:2,sierra:-1'],
      ['minimum_vms', '5'],
    ].map(([key, value]) => ({ key: key!, value: value!, propagateAtLaunch: false }));
    await createGroup(deps, user, {
      name,
      launchConfigurationName: 'web@hotel',
      minSize: 5,
      maxSize: 5,
      availabilityZones: ['us-east-1'],
      loadBalancerNames: [],
      targetGroupARNs: [],
      tags,
    });
    for (let i = 0; i < 5; i++) {
      await data.store.putInstance({
        owner: user.id,
        groupName: name,
        instanceId: `i-${String(g * 5 + i).padStart(17, '0')}`,
        site: i < 2 ? 'hotel' : 'sierra',
        lifecycleState: 'InService',
        healthStatus: 'Healthy',
        launchConfigurationName: `web@${i < 2 ? 'hotel' : 'sierra'}`,
        instanceType: 'm1.small',
        protectedFromScaleIn: false,
        createdTime: new Date(),
      });
    }
  }
  const churner = await data.accounts.createUser('churner');
  await data.accounts.setKey(churner, CHURN_KEY);
  await createLaunchConfiguration(deps, churner, {
    name: 'web@hotel',
    imageId: 'hello-cloud',
    instanceType: 'm1.small',
    securityGroups: ['default'],
    instanceMonitoring: false,
    ebsOptimized: false,
  });
  await createGroup(deps, churner, {
    name: 'churn',
    launchConfigurationName: 'web@hotel',
    minSize: 5,
    maxSize: 5,
    availabilityZones: ['us-east-1'],
    loadBalancerNames: [],
    targetGroupARNs: [],
    tags: [
      ['PHANTOM_DEFINITION', 'error_overflow_n_preserving'],
      ['clouds', 'hotel:-1'],
      ['minimum_vms', '5'],
    ].map(([key, value]) => ({ key: key!, value: value!, propagateAtLaunch: false })),
  });
  await data.close();
}

/** The same 20 groups × 5 instances in moto (it launches its own fake EC2 instances). */
export async function seedMoto(url: string): Promise<void> {
  const client = new AutoScalingClient({ endpoint: url, region: 'us-east-1', credentials: KEY, maxAttempts: 1 });
  await client.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: 'web',
      ImageId: 'ami-12c6146b',
      InstanceType: 'm1.small',
    }),
  );
  for (let g = 0; g < 20; g++) {
    await client.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: `domain-${String(g).padStart(2, '0')}`,
        LaunchConfigurationName: 'web',
        MinSize: 5,
        MaxSize: 5,
        DesiredCapacity: 5,
        AvailabilityZones: ['us-east-1a'],
      }),
    );
  }
}
