import { createHash, randomUUID } from 'node:crypto';
import type { ActivityRecord, GroupRecord, InstanceRecord } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';

/** An instant as AWS writes it in an activity's cause: ISO-8601 UTC to the second. */
export const causeTime = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** What {@link instantActivity} records. */
export interface InstantActivity {
  /** Optional; a fresh UUID when absent. */
  activityId?: string;
  owner: string;
  groupName: string;
  description: string;
  cause: string;
  at: Date;
  /** Absent: Successful. Present: Failed, with this StatusMessage. */
  failure?: string;
  /** Optional JSON text; '{}' when absent. */
  details?: string;
}

/**
 * An activity that began and ended at once — a size change by a policy, a schedule or a sensor
 * rule, or its refusal: Successful, or Failed with `failure` as its StatusMessage.
 */
export function instantActivity(a: InstantActivity): ActivityRecord {
  return {
    activityId: a.activityId ?? randomUUID(),
    owner: a.owner,
    groupName: a.groupName,
    description: a.description,
    cause: a.cause,
    startTime: a.at,
    endTime: a.at,
    statusCode: a.failure === undefined ? 'Successful' : 'Failed',
    ...(a.failure === undefined ? {} : { statusMessage: a.failure }),
    progress: 100,
    details: a.details ?? '{}',
  };
}

/**
 * The id of an instance's termination activity. An instance is terminated once, so the id is
 * derived from it (UUID-shaped, as AWS's are): whoever sees the instance gone can complete
 * the activity without searching for it, and recording the termination again replaces it.
 */
export function terminationActivityId(owner: string, instanceId: string): string {
  const hex = createHash('sha256').update(`termination\u0000${owner}\u0000${instanceId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const terminationOf = (instance: InstanceRecord, now: Date, cause: string): ActivityRecord => ({
  activityId: terminationActivityId(instance.owner, instance.instanceId),
  owner: instance.owner,
  groupName: instance.groupName,
  description: `Terminating EC2 instance: ${instance.instanceId}`,
  cause,
  startTime: now,
  statusCode: 'InProgress',
  progress: 0,
  details: JSON.stringify({ 'Availability Zone': instance.site }),
});

/**
 * Records that an instance is being terminated: an InProgress activity the controller
 * completes (`completeTermination`) once the cloud reports the instance gone. Idempotent.
 */
export async function recordTermination(
  store: Store,
  instance: InstanceRecord,
  now: Date,
  cause: string,
): Promise<ActivityRecord> {
  const activity = terminationOf(instance, now, cause);
  await store.putActivity(activity);
  return activity;
}

/**
 * The cloud reports `instance` gone: its InProgress termination activity becomes Successful.
 * An instance that went without Phantom terminating it (killed in the cloud, failed) gets a
 * completed activity saying so, as AWS records a health-check replacement. Idempotent: an
 * already completed activity is left as it is.
 */
export async function completeTermination(
  store: Store,
  instance: InstanceRecord,
  now: Date,
  reason?: string,
): Promise<void> {
  const id = terminationActivityId(instance.owner, instance.instanceId);
  const [existing] = await store.listActivities(instance.owner, {
    groupName: instance.groupName,
    activityIds: [id],
    limit: 1,
  });
  if (existing && existing.statusCode !== 'InProgress') return;
  const started =
    existing ??
    terminationOf(
      instance,
      now,
      `At ${now.toISOString()} an instance was taken out of service in response to its cloud reporting it ${reason ?? 'gone'}.`,
    );
  await store.putActivity({ ...started, endTime: now, statusCode: 'Successful', progress: 100 });
}

/**
 * Records a launch attempt as a scaling activity: Successful with the new instance id, or
 * Failed with the provider's message, so users can see why a VM did not start. Returns the
 * activity's id.
 */
export async function recordLaunch(
  store: Store,
  group: GroupRecord,
  site: string,
  outcome: { instanceId: string } | { error: string },
  start: Date,
  end: Date,
): Promise<string> {
  const ok = 'instanceId' in outcome;
  const activityId = randomUUID();
  await store.putActivity({
    activityId,
    owner: group.owner,
    groupName: group.name,
    description: ok
      ? `Launching a new EC2 instance: ${outcome.instanceId}`
      : 'Launching a new EC2 instance.  Status Reason: launch failed',
    cause: `At ${start.toISOString()} an instance was started on site ${site} in response to a difference between desired and actual capacity.`,
    startTime: start,
    endTime: end,
    statusCode: ok ? 'Successful' : 'Failed',
    ...(ok ? {} : { statusMessage: outcome.error }),
    progress: 100,
    details: JSON.stringify({ 'Availability Zone': site }),
  });
  return activityId;
}

/**
 * Records that a group is short of `count` instances and none can be launched (every site full
 * or backed off): a Failed activity whose cause says why, site by site. Returns its id.
 */
export async function recordShortfall(
  store: Store,
  group: GroupRecord,
  count: number,
  why: string,
  now: Date,
): Promise<string> {
  const activityId = randomUUID();
  const message = `could not launch ${count} instance${count === 1 ? '' : 's'}: ${why}`;
  await store.putActivity({
    activityId,
    owner: group.owner,
    groupName: group.name,
    description: `Launching ${count} new EC2 instance${count === 1 ? '' : 's'}.  Status Reason: ${message}`,
    cause: `At ${now.toISOString()} the group ${group.name} ${message}.`,
    startTime: now,
    endTime: now,
    statusCode: 'Failed',
    statusMessage: message,
    progress: 100,
    details: JSON.stringify({}),
  });
  return activityId;
}
