import { randomUUID } from 'node:crypto';
import type { ActivityRecord, InstanceRecord } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';

/**
 * Records that an instance is being terminated: an InProgress activity the controller
 * completes (Successful or Failed with the cloud's message) once the cloud call is done.
 */
export async function recordTermination(store: Store, instance: InstanceRecord, now: Date, cause: string): Promise<ActivityRecord> {
  const activity: ActivityRecord = {
    activityId: randomUUID(),
    owner: instance.owner,
    groupName: instance.groupName,
    description: `Terminating EC2 instance: ${instance.instanceId}`,
    cause,
    startTime: now,
    statusCode: 'InProgress',
    progress: 0,
    details: JSON.stringify({ 'Availability Zone': instance.site }),
  };
  await store.putActivity(activity);
  return activity;
}
