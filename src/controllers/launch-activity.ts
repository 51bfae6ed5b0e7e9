import { randomUUID } from 'node:crypto';
import type { GroupRecord } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';

/**
 * Records a launch attempt as a scaling activity: Successful with the new instance id, or
 * Failed with the provider's message, so users can see why a VM did not start.
 */
export async function recordLaunch(store: Store, group: GroupRecord, site: string, outcome: { instanceId: string } | { error: string }, start: Date, end: Date): Promise<void> {
  const ok = 'instanceId' in outcome;
  await store.putActivity({
    activityId: randomUUID(),
    owner: group.owner,
    groupName: group.name,
    description: ok ? `Launching a new EC2 instance: ${outcome.instanceId}` : 'Launching a new EC2 instance.  Status Reason: launch failed',
    cause: `At ${start.toISOString()} an instance was started on site ${site} in response to a difference between desired and actual capacity.`,
    startTime: start,
    endTime: end,
    statusCode: ok ? 'Successful' : 'Failed',
    ...(ok ? {} : { statusMessage: outcome.error }),
    progress: 100,
    details: JSON.stringify({ 'Availability Zone': site }),
  });
}
