import type { GroupRecord, InstanceSummary, Tag } from '../../contracts/records.ts';
import { parseLaunchConfigurationName } from '../../domain/names.ts';
import { isPhantomDomain, parseClouds } from '../../domain/placement.ts';
import { escapeXml, xmlTimestamp, type XmlValue } from '../query/xml.ts';
import { tagXml } from './tags.ts';

/**
 * How a group's launch configuration is shown: a Phantom domain shows its multi-cloud name
 * (`testlc1`, as the seed's listing prints), a plain group the name it was given.
 */
const shownLaunchConfiguration = (g: GroupRecord) =>
  isPhantomDomain(g.tags) ? parseLaunchConfigurationName(g.launchConfigurationName).base : g.launchConfigurationName;

/** A Phantom domain's zones are its sites; a plain group's are what the client gave. */
function shownZones(g: GroupRecord): string[] {
  const clouds = g.tags.find((t) => t.key === 'clouds');
  if (!isPhantomDomain(g.tags) || !clouds) return g.availabilityZones;
  try {
    return parseClouds(clouds.value).map((s) => s.site);
  } catch {
    return g.availabilityZones;
  }
}

/** The AWS `Instance` member of a group. */
export function groupInstanceXml(i: InstanceSummary): XmlValue {
  return {
    InstanceId: i.instanceId,
    InstanceType: i.instanceType,
    AvailabilityZone: i.site,
    LifecycleState: i.lifecycleState,
    HealthStatus: i.healthStatus,
    LaunchConfigurationName: i.launchConfigurationName,
    ProtectedFromScaleIn: i.protectedFromScaleIn,
  };
}

/**
 * The AWS `AutoScalingGroup` member, in AWS element order, with every required member: the
 * readable definition of the element, which {@link groupMembersXml} writes byte for byte.
 */
export function groupXml(g: GroupRecord, instances: readonly InstanceSummary[]): XmlValue {
  return {
    AutoScalingGroupName: g.name,
    AutoScalingGroupARN: g.arn,
    LaunchConfigurationName: shownLaunchConfiguration(g),
    MinSize: g.minSize,
    MaxSize: g.maxSize,
    DesiredCapacity: g.desiredCapacity,
    DefaultCooldown: g.defaultCooldown,
    AvailabilityZones: shownZones(g),
    LoadBalancerNames: g.loadBalancerNames,
    TargetGroupARNs: g.targetGroupARNs,
    HealthCheckType: g.healthCheckType,
    HealthCheckGracePeriod: g.healthCheckGracePeriod,
    Instances: instances.map(groupInstanceXml),
    CreatedTime: g.createdTime,
    SuspendedProcesses: g.suspendedProcesses.map((p) => ({
      ProcessName: p.processName,
      SuspensionReason: p.suspensionReason,
    })),
    PlacementGroup: g.placementGroup,
    VPCZoneIdentifier: g.vpcZoneIdentifier,
    EnabledMetrics: [],
    Status: g.deleting ? 'Delete in progress' : undefined,
    Tags: g.tags.map((t) => tagXml(g.name, t)),
    TerminationPolicies: g.terminationPolicies,
    NewInstancesProtectedFromScaleIn: g.newInstancesProtectedFromScaleIn,
  };
}

// The hand-written writer: Describe's cache misses spend most of their time turning records into
// XML, so it appends text straight from the records, without the intermediate XmlValue objects.

/** `<name>text</name>`, text escaped; '' when absent (as the generic writer omits it). */
const text = (name: string, value: string | undefined): string =>
  value === undefined ? '' : `<${name}>${escapeXml(value)}</${name}>`;

/** A list of strings as `<name><member>…</member>…</name>`. */
function strings(name: string, values: readonly string[]): string {
  let out = `<${name}>`;
  for (const v of values) out += `<member>${escapeXml(v)}</member>`;
  return `${out}</${name}>`;
}

function instanceMember(i: InstanceSummary): string {
  return (
    `<member><InstanceId>${escapeXml(i.instanceId)}</InstanceId>${text('InstanceType', i.instanceType)}` +
    `<AvailabilityZone>${escapeXml(i.site)}</AvailabilityZone><LifecycleState>${escapeXml(i.lifecycleState)}</LifecycleState>` +
    `<HealthStatus>${escapeXml(i.healthStatus)}</HealthStatus>` +
    `<LaunchConfigurationName>${escapeXml(i.launchConfigurationName)}</LaunchConfigurationName>` +
    `<ProtectedFromScaleIn>${i.protectedFromScaleIn}</ProtectedFromScaleIn></member>`
  );
}

function tagMember(groupName: string, t: Tag): string {
  return (
    `<member><ResourceId>${groupName}</ResourceId><ResourceType>auto-scaling-group</ResourceType>` +
    `<Key>${escapeXml(t.key)}</Key><Value>${escapeXml(t.value)}</Value>` +
    `<PropagateAtLaunch>${t.propagateAtLaunch}</PropagateAtLaunch></member>`
  );
}

/** The members of a group before its Instances. */
function groupHead(g: GroupRecord, name: string): string {
  return (
    `<AutoScalingGroupName>${name}</AutoScalingGroupName><AutoScalingGroupARN>${escapeXml(g.arn)}</AutoScalingGroupARN>` +
    `<LaunchConfigurationName>${escapeXml(shownLaunchConfiguration(g))}</LaunchConfigurationName>` +
    `<MinSize>${g.minSize}</MinSize><MaxSize>${g.maxSize}</MaxSize><DesiredCapacity>${g.desiredCapacity}</DesiredCapacity>` +
    `<DefaultCooldown>${g.defaultCooldown}</DefaultCooldown>${strings('AvailabilityZones', shownZones(g))}` +
    `${strings('LoadBalancerNames', g.loadBalancerNames)}${strings('TargetGroupARNs', g.targetGroupARNs)}` +
    `<HealthCheckType>${escapeXml(g.healthCheckType)}</HealthCheckType>` +
    `<HealthCheckGracePeriod>${g.healthCheckGracePeriod}</HealthCheckGracePeriod>`
  );
}

/** The members of a group after its Instances. */
function groupTail(g: GroupRecord, name: string): string {
  let out = `<CreatedTime>${xmlTimestamp(g.createdTime)}</CreatedTime><SuspendedProcesses>`;
  for (const p of g.suspendedProcesses)
    out += `<member><ProcessName>${escapeXml(p.processName)}</ProcessName>${text('SuspensionReason', p.suspensionReason)}</member>`;
  out += `</SuspendedProcesses>${text('PlacementGroup', g.placementGroup)}${text('VPCZoneIdentifier', g.vpcZoneIdentifier)}`;
  out += `<EnabledMetrics></EnabledMetrics>${g.deleting ? '<Status>Delete in progress</Status>' : ''}<Tags>`;
  for (const t of g.tags) out += tagMember(name, t);
  return (
    `${out}</Tags>${strings('TerminationPolicies', g.terminationPolicies)}` +
    `<NewInstancesProtectedFromScaleIn>${g.newInstancesProtectedFromScaleIn}</NewInstancesProtectedFromScaleIn>`
  );
}

/** One group's `<member>` element of an `AutoScalingGroups` list, exactly as the generic writer writes {@link groupXml}. */
export function groupMemberXml(g: GroupRecord, instances: readonly InstanceSummary[]): string {
  const name = escapeXml(g.name);
  let out = `<member>${groupHead(g, name)}<Instances>`;
  for (const i of instances) out += instanceMember(i);
  return `${out}</Instances>${groupTail(g, name)}</member>`;
}
