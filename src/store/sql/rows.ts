import type {
  AccessKeyRecord,
  ActivityRecord,
  ActivityStatus,
  GroupRecord,
  HealthStatus,
  InstanceRecord,
  InstanceSummary,
  LaunchConfigurationRecord,
  LifecycleState,
  SuspendedProcess,
  Tag,
  User,
  UserLimits,
} from '../../contracts/records.ts';
import type {
  AccessKeysTable,
  ActivitiesTable,
  GroupsTable,
  InstancesTable,
  LaunchConfigurationsTable,
  UsersTable,
} from '../schema.ts';

/**
 * Record ⇄ row mapping. Dates are ISO-8601 text (exact to the millisecond), booleans 0/1,
 * lists JSON text, and an absent optional field is NULL — read back as an absent property
 * (never `undefined`-valued), so records round-trip deep-equal.
 */

const iso = (date: Date): string => date.toISOString();
const date = (text: string): Date => new Date(text);
const flag = (value: boolean): number => (value ? 1 : 0);
const truthy = (value: number): boolean => value !== 0;
const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);
const json = (value: unknown): string => JSON.stringify(value);
// Most list columns hold an empty list: skip the parser for those.
const parsed = <T>(text: string): T => (text === '[]' ? [] : JSON.parse(text)) as T;

/** Sets `record[key]` only when the column is not NULL. */
function setIfPresent<R, K extends keyof R>(record: R, key: K, value: R[K] | null): void {
  if (value !== null) record[key] = value;
}

export const userToRow = (u: User): UsersTable => ({
  id: u.id,
  name: u.name,
  is_admin: flag(u.isAdmin),
  created_time: iso(u.createdTime),
  limits_json: json(u.limits),
});

export const userFromRow = (r: UsersTable): User => ({
  id: r.id,
  name: r.name,
  isAdmin: truthy(r.is_admin),
  createdTime: date(r.created_time),
  limits: parsed<Partial<UserLimits>>(r.limits_json),
});

export const accessKeyToRow = (k: AccessKeyRecord): AccessKeysTable => ({
  access_key_id: k.accessKeyId,
  user_id: k.userId,
  sealed_secret: k.sealedSecret,
  created_time: iso(k.createdTime),
});

export const accessKeyFromRow = (r: AccessKeysTable): AccessKeyRecord => ({
  accessKeyId: r.access_key_id,
  userId: r.user_id,
  sealedSecret: r.sealed_secret,
  createdTime: date(r.created_time),
});

export const launchConfigurationToRow = (lc: LaunchConfigurationRecord): LaunchConfigurationsTable => ({
  owner: lc.owner,
  name: lc.name,
  arn: lc.arn,
  image_id: lc.imageId,
  instance_type: lc.instanceType,
  key_name: orNull(lc.keyName),
  security_groups_json: json(lc.securityGroups),
  user_data: orNull(lc.userData),
  kernel_id: orNull(lc.kernelId),
  ramdisk_id: orNull(lc.ramdiskId),
  instance_monitoring: flag(lc.instanceMonitoring),
  ebs_optimized: flag(lc.ebsOptimized),
  associate_public_ip_address: lc.associatePublicIpAddress === undefined ? null : flag(lc.associatePublicIpAddress),
  created_time: iso(lc.createdTime),
});

export function launchConfigurationFromRow(r: LaunchConfigurationsTable): LaunchConfigurationRecord {
  const lc: LaunchConfigurationRecord = {
    owner: r.owner,
    name: r.name,
    arn: r.arn,
    imageId: r.image_id,
    instanceType: r.instance_type,
    securityGroups: parsed<string[]>(r.security_groups_json),
    instanceMonitoring: truthy(r.instance_monitoring),
    ebsOptimized: truthy(r.ebs_optimized),
    createdTime: date(r.created_time),
  };
  setIfPresent(lc, 'keyName', r.key_name);
  setIfPresent(lc, 'userData', r.user_data);
  setIfPresent(lc, 'kernelId', r.kernel_id);
  setIfPresent(lc, 'ramdiskId', r.ramdisk_id);
  setIfPresent(
    lc,
    'associatePublicIpAddress',
    r.associate_public_ip_address === null ? null : truthy(r.associate_public_ip_address),
  );
  return lc;
}

export const groupToRow = (g: GroupRecord): GroupsTable => ({
  owner: g.owner,
  name: g.name,
  arn: g.arn,
  launch_configuration_name: g.launchConfigurationName,
  min_size: g.minSize,
  max_size: g.maxSize,
  desired_capacity: g.desiredCapacity,
  default_cooldown: g.defaultCooldown,
  health_check_type: g.healthCheckType,
  health_check_grace_period: g.healthCheckGracePeriod,
  availability_zones_json: json(g.availabilityZones),
  load_balancer_names_json: json(g.loadBalancerNames),
  target_group_arns_json: json(g.targetGroupARNs),
  vpc_zone_identifier: orNull(g.vpcZoneIdentifier),
  placement_group: orNull(g.placementGroup),
  termination_policies_json: json(g.terminationPolicies),
  new_instances_protected_from_scale_in: flag(g.newInstancesProtectedFromScaleIn),
  suspended_processes_json: json(g.suspendedProcesses),
  tags_json: json(g.tags),
  created_time: iso(g.createdTime),
  deleting: flag(g.deleting),
  version: g.version,
});

export function groupFromRow(r: GroupsTable): GroupRecord {
  const g: GroupRecord = {
    owner: r.owner,
    name: r.name,
    arn: r.arn,
    launchConfigurationName: r.launch_configuration_name,
    minSize: r.min_size,
    maxSize: r.max_size,
    desiredCapacity: r.desired_capacity,
    defaultCooldown: r.default_cooldown,
    healthCheckType: r.health_check_type,
    healthCheckGracePeriod: r.health_check_grace_period,
    availabilityZones: parsed<string[]>(r.availability_zones_json),
    loadBalancerNames: parsed<string[]>(r.load_balancer_names_json),
    targetGroupARNs: parsed<string[]>(r.target_group_arns_json),
    terminationPolicies: parsed<string[]>(r.termination_policies_json),
    newInstancesProtectedFromScaleIn: truthy(r.new_instances_protected_from_scale_in),
    suspendedProcesses: parsed<SuspendedProcess[]>(r.suspended_processes_json),
    tags: parsed<Tag[]>(r.tags_json),
    createdTime: date(r.created_time),
    deleting: truthy(r.deleting),
    version: Number(r.version),
  };
  setIfPresent(g, 'vpcZoneIdentifier', r.vpc_zone_identifier);
  setIfPresent(g, 'placementGroup', r.placement_group);
  return g;
}

export const instanceToRow = (i: InstanceRecord): InstancesTable => ({
  owner: i.owner,
  instance_id: i.instanceId,
  group_name: i.groupName,
  site: i.site,
  lifecycle_state: i.lifecycleState,
  health_status: i.healthStatus,
  launch_configuration_name: i.launchConfigurationName,
  instance_type: orNull(i.instanceType),
  protected_from_scale_in: flag(i.protectedFromScaleIn),
  created_time: iso(i.createdTime),
});

export function instanceFromRow(r: InstancesTable): InstanceRecord {
  const i: InstanceRecord = {
    owner: r.owner,
    groupName: r.group_name,
    instanceId: r.instance_id,
    site: r.site,
    lifecycleState: r.lifecycle_state as LifecycleState,
    healthStatus: r.health_status as HealthStatus,
    launchConfigurationName: r.launch_configuration_name,
    protectedFromScaleIn: truthy(r.protected_from_scale_in),
    createdTime: date(r.created_time),
  };
  setIfPresent(i, 'instanceType', r.instance_type);
  return i;
}

/** The columns an {@link InstanceSummary} is read from. */
export const INSTANCE_SUMMARY_COLUMNS = [
  'instance_id',
  'instance_type',
  'site',
  'lifecycle_state',
  'health_status',
  'launch_configuration_name',
  'protected_from_scale_in',
] as const;

export function instanceSummaryFromRow(
  r: Pick<InstancesTable, (typeof INSTANCE_SUMMARY_COLUMNS)[number]>,
): InstanceSummary {
  const i: InstanceSummary = {
    instanceId: r.instance_id,
    site: r.site,
    lifecycleState: r.lifecycle_state as LifecycleState,
    healthStatus: r.health_status as HealthStatus,
    launchConfigurationName: r.launch_configuration_name,
    protectedFromScaleIn: truthy(r.protected_from_scale_in),
  };
  setIfPresent(i, 'instanceType', r.instance_type);
  return i;
}

export const activityToRow = (a: ActivityRecord): ActivitiesTable => ({
  activity_id: a.activityId,
  owner: a.owner,
  group_name: a.groupName,
  description: a.description,
  cause: a.cause,
  start_time: iso(a.startTime),
  end_time: a.endTime === undefined ? null : iso(a.endTime),
  status_code: a.statusCode,
  status_message: orNull(a.statusMessage),
  progress: a.progress,
  details: orNull(a.details),
});

export function activityFromRow(r: ActivitiesTable): ActivityRecord {
  const a: ActivityRecord = {
    activityId: r.activity_id,
    owner: r.owner,
    groupName: r.group_name,
    description: r.description,
    cause: r.cause,
    startTime: date(r.start_time),
    statusCode: r.status_code as ActivityStatus,
    progress: r.progress,
  };
  setIfPresent(a, 'endTime', r.end_time === null ? null : date(r.end_time));
  setIfPresent(a, 'statusMessage', r.status_message);
  setIfPresent(a, 'details', r.details);
  return a;
}
