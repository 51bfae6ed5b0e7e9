import assert from 'node:assert/strict';
import { isPhantomError, type PhantomErrorCode } from '../../contracts/errors.ts';
import type {
  AccessKeyRecord,
  ActivityRecord,
  GroupRecord,
  InstanceRecord,
  LaunchConfigurationRecord,
  LaunchIntentRecord,
  User,
} from '../../contracts/records.ts';
import type { Store } from '../../contracts/store.ts';

/** Opens a fresh, empty store (each call a new database). */
export type OpenStore = () => Promise<Store>;

/** Runs `fn` on a fresh store and closes the store afterwards. */
export async function withStore(open: OpenStore, fn: (store: Store) => Promise<void>): Promise<void> {
  const store = await open();
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

/** Asserts that `action` rejects with a PhantomError of `code`; returns its message. */
export async function rejectsWith(action: Promise<unknown>, code: PhantomErrorCode): Promise<string> {
  let message = '';
  await assert.rejects(action, (error: unknown) => {
    assert.ok(isPhantomError(error), `expected a PhantomError ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    message = error.message;
    return true;
  });
  return message;
}

/** A fixed instant with a non-zero millisecond part (round trips must keep it). */
export const T0 = new Date('2026-11-25T12:00:00.123Z');

/** `T0` plus `seconds` (may be fractional). */
export const at = (seconds: number): Date => new Date(T0.getTime() + Math.round(seconds * 1000));

export const user = (id: string, over: Partial<User> = {}): User => ({
  id,
  name: `name-${id}`,
  isAdmin: false,
  createdTime: T0,
  limits: {},
  ...over,
});

export const accessKey = (
  accessKeyId: string,
  userId: string,
  over: Partial<AccessKeyRecord> = {},
): AccessKeyRecord => ({
  accessKeyId,
  userId,
  sealedSecret: `sealed:${accessKeyId}`,
  createdTime: T0,
  ...over,
});

/** A launch configuration with only the required fields. */
export const launchConfiguration = (
  owner: string,
  name: string,
  over: Partial<LaunchConfigurationRecord> = {},
): LaunchConfigurationRecord => ({
  owner,
  name,
  arn: `arn:aws:autoscaling:phantom:${owner}:launchConfiguration:${name}`,
  imageId: 'ami-1',
  instanceType: 'm1.small',
  securityGroups: [],
  instanceMonitoring: true,
  ebsOptimized: false,
  createdTime: T0,
  ...over,
});

/** A launch configuration with every optional field set. */
export const fullLaunchConfiguration = (owner: string, name: string): LaunchConfigurationRecord =>
  launchConfiguration(owner, name, {
    keyName: 'key-1',
    securityGroups: ['default', 'web'],
    userData: 'IyEvYmluL3NoCmVjaG8gaGk=',
    kernelId: 'aki-1',
    ramdiskId: 'ari-1',
    instanceMonitoring: false,
    ebsOptimized: true,
    associatePublicIpAddress: false,
    createdTime: at(1.5),
  });

/** A group with only the required fields (empty lists). */
export const group = (owner: string, name: string, over: Partial<GroupRecord> = {}): GroupRecord => ({
  owner,
  name,
  arn: `arn:aws:autoscaling:phantom:${owner}:autoScalingGroup:${name}`,
  launchConfigurationName: 'lc1@hotel',
  minSize: 0,
  maxSize: 4,
  desiredCapacity: 1,
  defaultCooldown: 300,
  healthCheckType: 'EC2',
  healthCheckGracePeriod: 0,
  availabilityZones: [],
  loadBalancerNames: [],
  targetGroupARNs: [],
  terminationPolicies: [],
  newInstancesProtectedFromScaleIn: false,
  suspendedProcesses: [],
  tags: [],
  createdTime: T0,
  deleting: false,
  version: 1,
  ...over,
});

/** A group with every optional field and non-empty lists. */
export const fullGroup = (owner: string, name: string): GroupRecord =>
  group(owner, name, {
    launchConfigurationName: 'lc1',
    minSize: 1,
    maxSize: 10,
    desiredCapacity: 3,
    defaultCooldown: 60,
    healthCheckType: 'ELB',
    healthCheckGracePeriod: 30,
    availabilityZones: ['hotel', 'sierra'],
    loadBalancerNames: ['lb-1'],
    targetGroupARNs: ['arn:tg:1', 'arn:tg:2'],
    vpcZoneIdentifier: 'subnet-1,subnet-2',
    placementGroup: 'pg-1',
    terminationPolicies: ['OldestInstance', 'Default'],
    newInstancesProtectedFromScaleIn: true,
    suspendedProcesses: [{ processName: 'Launch', suspensionReason: 'User suspended at 2026-11-25T12:00:00Z' }],
    tags: [
      { key: 'PHANTOM_DEFINITION', value: 'error_overflow_n_preserving', propagateAtLaunch: false },
      { key: 'clouds', value: 'hotel:2,sierra:-1', propagateAtLaunch: true },
    ],
    createdTime: at(2.25),
    deleting: true,
    version: 7,
  });

export const instance = (
  owner: string,
  groupName: string,
  instanceId: string,
  over: Partial<InstanceRecord> = {},
): InstanceRecord => ({
  owner,
  groupName,
  instanceId,
  site: 'hotel',
  lifecycleState: 'InService',
  healthStatus: 'Healthy',
  launchConfigurationName: 'lc1@hotel',
  protectedFromScaleIn: false,
  createdTime: T0,
  ...over,
});

export const activity = (
  owner: string,
  groupName: string,
  activityId: string,
  startTime: Date,
  over: Partial<ActivityRecord> = {},
): ActivityRecord => ({
  activityId,
  owner,
  groupName,
  description: `Launching a new EC2 instance: ${activityId}`,
  cause: 'At 2026-11-25T12:00:00Z a user request created an AutoScalingGroup.',
  startTime,
  statusCode: 'InProgress',
  progress: 50,
  ...over,
});

/** Names of `records`, in order. */
/** A pending launch intent on hotel. */
export const intent = (
  owner: string,
  groupName: string,
  intentId: string,
  over: Partial<LaunchIntentRecord> = {},
): LaunchIntentRecord => ({
  intentId,
  owner,
  groupName,
  site: 'hotel',
  launchConfigurationName: 'lc@hotel',
  state: 'pending',
  attempts: 0,
  createdTime: T0,
  updatedTime: T0,
  generation: 0,
  ...over,
});

export const names = (records: readonly { name: string }[]): string[] => records.map((r) => r.name);
