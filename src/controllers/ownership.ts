import type { CloudInstance } from '../contracts/cloud.ts';
import type { HealthStatus, LifecycleState } from '../contracts/records.ts';

/** Tags Phantom puts on every instance it launches, on the create call itself (DESIGN.md §5). */
export const TAG = {
  installation: 'phantom:installation',
  owner: 'phantom:owner',
  group: 'phantom:group',
  intent: 'phantom:intent',
} as const;

/** The tags that select all of one owner's instances on a site (every domain of theirs). */
export const ownerTags = (installationId: string, owner: string): Record<string, string> => ({
  [TAG.installation]: installationId,
  [TAG.owner]: owner,
});

/** The tags that select one domain's instances on a site: the owner's, narrowed by the group. */
export const domainTags = (installationId: string, owner: string, groupName: string): Record<string, string> => ({
  ...ownerTags(installationId, owner),
  [TAG.group]: groupName,
});

const LIFECYCLE = {
  pending: Object.freeze({ lifecycleState: 'Pending', healthStatus: 'Healthy' }),
  running: Object.freeze({ lifecycleState: 'InService', healthStatus: 'Healthy' }),
  stopped: Object.freeze({ lifecycleState: 'InService', healthStatus: 'Unhealthy' }),
  terminating: Object.freeze({ lifecycleState: 'Terminating', healthStatus: 'Unhealthy' }),
  terminated: Object.freeze({ lifecycleState: 'Terminated', healthStatus: 'Unhealthy' }),
} as const satisfies Record<string, { lifecycleState: LifecycleState; healthStatus: HealthStatus }>;

/** How a cloud state shows in the API: AWS lifecycle and health (a shared, frozen object). */
export function lifecycleOf(
  instance: CloudInstance,
): Readonly<{ lifecycleState: LifecycleState; healthStatus: HealthStatus }> {
  switch (instance.state) {
    case 'pending':
      return LIFECYCLE.pending;
    case 'running':
      return LIFECYCLE.running;
    case 'stopping':
    case 'stopped':
      return LIFECYCLE.stopped;
    case 'terminating':
      return LIFECYCLE.terminating;
    case 'terminated':
    case 'failed':
      return LIFECYCLE.terminated;
  }
}
