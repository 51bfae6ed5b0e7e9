import type { CloudInstance } from '../contracts/cloud.ts';
import type { HealthStatus, LifecycleState } from '../contracts/records.ts';

/** Tags Phantom puts on every instance it launches, on the create call itself (DESIGN.md §5). */
export const TAG = {
  installation: 'phantom:installation',
  owner: 'phantom:owner',
  group: 'phantom:group',
  intent: 'phantom:intent',
} as const;

/** The tags that select one domain's instances on a site. */
export const domainTags = (installationId: string, owner: string, groupName: string): Record<string, string> => ({
  [TAG.installation]: installationId,
  [TAG.owner]: owner,
  [TAG.group]: groupName,
});

/** How a cloud state shows in the API: AWS lifecycle and health. */
export function lifecycleOf(instance: CloudInstance): { lifecycleState: LifecycleState; healthStatus: HealthStatus } {
  switch (instance.state) {
    case 'pending':
      return { lifecycleState: 'Pending', healthStatus: 'Healthy' };
    case 'running':
      return { lifecycleState: 'InService', healthStatus: 'Healthy' };
    case 'stopping':
    case 'stopped':
      return { lifecycleState: 'InService', healthStatus: 'Unhealthy' };
    case 'terminating':
      return { lifecycleState: 'Terminating', healthStatus: 'Unhealthy' };
    case 'terminated':
    case 'failed':
      return { lifecycleState: 'Terminated', healthStatus: 'Unhealthy' };
  }
}

/** The tags that select all of one owner's instances on a site (every domain of theirs). */
export const ownerTags = (installationId: string, owner: string): Record<string, string> => ({
  [TAG.installation]: installationId,
  [TAG.owner]: owner,
});
