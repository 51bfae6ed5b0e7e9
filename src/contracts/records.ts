/**
 * Plain records the store keeps. Every owned record carries `owner` (a user id); the store
 * never returns a record to anyone but its owner because every query takes the owner.
 */

export type UserId = string;

export interface User {
  id: UserId;
  name: string;
  isAdmin: boolean;
  createdTime: Date;
  /** Per-user overrides of the configured default limits; absent = default. */
  limits: Partial<UserLimits>;
}

export interface UserLimits {
  maxGroups: number;
  maxLaunchConfigurations: number;
  /** The most instances the user's groups may want at once: the sum of their desired capacities. */
  maxInstances: number;
}

/** An access key as stored: the secret is sealed (encrypted) by src/security/secret-box.ts. */
export interface AccessKeyRecord {
  accessKeyId: string;
  userId: UserId;
  sealedSecret: string;
  createdTime: Date;
}

export interface LaunchConfigurationRecord {
  owner: UserId;
  /** Full name as the client gave it, e.g. `testlc1@hotel` (or `lc1` for a site-agnostic one). */
  name: string;
  arn: string;
  imageId: string;
  instanceType: string;
  keyName?: string;
  securityGroups: string[];
  /** Base64 text exactly as received (AWS echoes it back base64-encoded). */
  userData?: string;
  kernelId?: string;
  ramdiskId?: string;
  instanceMonitoring: boolean;
  ebsOptimized: boolean;
  associatePublicIpAddress?: boolean;
  createdTime: Date;
}

export interface Tag {
  key: string;
  value: string;
  propagateAtLaunch: boolean;
}

export interface SuspendedProcess {
  processName: string;
  suspensionReason: string;
}

export interface GroupRecord {
  owner: UserId;
  name: string;
  arn: string;
  /** As the client gave it (`testlc1@hotel`); Describe shows Phantom domains by base name. */
  launchConfigurationName: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  defaultCooldown: number;
  healthCheckType: string;
  healthCheckGracePeriod: number;
  availabilityZones: string[];
  loadBalancerNames: string[];
  targetGroupARNs: string[];
  vpcZoneIdentifier?: string;
  placementGroup?: string;
  terminationPolicies: string[];
  newInstancesProtectedFromScaleIn: boolean;
  suspendedProcesses: SuspendedProcess[];
  /** Kept in the order first created; CreateOrUpdateTags overwrites values in place. */
  tags: Tag[];
  createdTime: Date;
  /** Set by DeleteAutoScalingGroup while instances are still being terminated. */
  deleting: boolean;
  /** Optimistic-concurrency version; the store bumps it on every update. */
  version: number;
}

/** AWS LifecycleState values Phantom uses. */
export type LifecycleState = 'Pending' | 'InService' | 'Terminating' | 'Terminated' | 'Quarantined';
export type HealthStatus = 'Healthy' | 'Unhealthy';

export interface InstanceRecord {
  owner: UserId;
  groupName: string;
  /** The cloud's own instance id (what clients see as InstanceId). */
  instanceId: string;
  /** Phantom site name; shown to clients as AvailabilityZone. */
  site: string;
  lifecycleState: LifecycleState;
  healthStatus: HealthStatus;
  launchConfigurationName: string;
  instanceType?: string;
  protectedFromScaleIn: boolean;
  createdTime: Date;
}

/**
 * An instance as DescribeAutoScalingGroups shows it inside its group: the record without its
 * owner, group and creation time.
 */
export type InstanceSummary = Pick<
  InstanceRecord,
  | 'instanceId'
  | 'instanceType'
  | 'site'
  | 'lifecycleState'
  | 'healthStatus'
  | 'launchConfigurationName'
  | 'protectedFromScaleIn'
>;

export type ActivityStatus = 'PreInService' | 'InProgress' | 'Successful' | 'Failed' | 'Cancelled';

export interface ActivityRecord {
  activityId: string;
  owner: UserId;
  groupName: string;
  description: string;
  cause: string;
  startTime: Date;
  endTime?: Date;
  statusCode: ActivityStatus;
  statusMessage?: string;
  progress: number;
  details?: string;
}

/** Where a launch intent stands (DESIGN.md §5). */
export type IntentState = 'pending' | 'launched' | 'failed';

/**
 * A launch intent, written before the cloud call (DESIGN.md §5): the controller may die
 * between any two lines, and the intent is how the next run finds out what it was doing.
 */
export interface LaunchIntentRecord {
  /** Unique; also the client token sent to the cloud (at most 64 characters). */
  intentId: string;
  owner: UserId;
  groupName: string;
  site: string;
  /** The launch configuration entry used (`name@site`, or a site-agnostic name). */
  launchConfigurationName: string;
  state: IntentState;
  /** The cloud's instance id, once the launch returned or adoption found the instance. */
  instanceId?: string;
  /** Cloud calls made for this intent so far (retries reuse the same token). */
  attempts: number;
  /** The provider's message of the last failed attempt. */
  lastError?: string;
  createdTime: Date;
  updatedTime: Date;
  /** Lease generation of the writer (fencing token; 0 in single-node mode). */
  generation: number;
}

/**
 * A user's credentials for one site, as stored: the secret part (keys, passwords) is sealed
 * by src/security/secret-box.ts; only the key-pair name is kept in clear.
 */
export interface CloudCredentialRecord {
  owner: UserId;
  site: string;
  /** Sealed JSON of the driver's credential object (e.g. `{accessKey, secretKey}`). */
  sealed: string;
  /** Optional. Key pair to launch with on that site. */
  keyName?: string;
  createdTime: Date;
  updatedTime: Date;
}

/**
 * A site added with `phantom site add` (sites of the config file are not stored). Holds no
 * secrets: users' credentials for it are stored per user (`CloudCredentialRecord`).
 */
export interface SiteRecord {
  /** Site name (the key), e.g. `hotel`. */
  name: string;
  /** Driver name: `sim`, `ec2` or `openstack`. */
  driver: string;
  /** The driver's settings as in the config file, without `driver` and `site` (e.g. `{ region, endpoint }`). */
  settings: Record<string, unknown>;
  createdTime: Date;
  updatedTime: Date;
}

/**
 * A scheduled action (PutScheduledUpdateGroupAction): at `nextRunTime` the scheduler sets the
 * group's given sizes. Keyed by (owner, groupName, name); deleted with its group, after a one-off
 * run, and once a recurring one's next run would fall after `endTime`.
 */
export interface ScheduledActionRecord {
  owner: UserId;
  groupName: string;
  /** 1–255 characters, unique within the group. */
  name: string;
  arn: string;
  /** As given (StartTime, or the older Time); absent when only a recurrence was given. */
  startTime?: Date;
  /** Optional. A recurring action stops repeating after this instant. */
  endTime?: Date;
  /** Optional. A 5-field cron expression, evaluated in `timeZone`. */
  recurrence?: string;
  /** Optional. The IANA time zone of the recurrence as given; absent = UTC. */
  timeZone?: string;
  /** The sizes to set; at least one is present. */
  minSize?: number;
  maxSize?: number;
  desiredCapacity?: number;
  /** When it is due next (what Describe shows as StartTime and Time); the scheduler's index. */
  nextRunTime: Date;
  createdTime: Date;
}
