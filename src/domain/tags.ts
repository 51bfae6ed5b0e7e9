import { PhantomError } from '../contracts/errors.ts';
import type { Tag } from '../contracts/records.ts';
import { DEMAND_TAG, parseDemand } from './demand.ts';
import { checkHealthCheckHost, parseHealthCheck } from './health-check.ts';

/** AWS's per-group tag limit. */
export const MAX_TAGS_PER_GROUP = 50;

/**
 * Checks a group's tag set: unique keys, no reserved `aws:` prefix, at most 50, and a
 * well-formed HTTP health check when its tags are present, probing only the instance's own
 * address or one of `healthCheckAllowHosts` (the operator's config), and a well-formed demand
 * model in `phantom_demand`.
 * @throws PhantomError Validation or LimitExceeded.
 */
export function checkTags(
  groupName: string,
  tags: readonly Tag[],
  healthCheckAllowHosts: readonly string[] = [],
): void {
  const keys = new Set<string>();
  for (const tag of tags) {
    if (tag.key.toLowerCase().startsWith('aws:'))
      throw new PhantomError('Validation', `Tag keys starting with 'aws:' are reserved; ${tag.key} is not allowed.`);
    if (keys.has(tag.key))
      throw new PhantomError('Validation', `Duplicate tag key ${tag.key} for AutoScalingGroup ${groupName}.`);
    keys.add(tag.key);
  }
  if (tags.length > MAX_TAGS_PER_GROUP)
    throw new PhantomError(
      'LimitExceeded',
      `The number of tags for AutoScalingGroup ${groupName} would exceed the limit of ${MAX_TAGS_PER_GROUP}.`,
    );
  const check = parseHealthCheck(tags);
  if (check) checkHealthCheckHost(check, healthCheckAllowHosts);
  const demand = tags.find((t) => t.key === DEMAND_TAG);
  if (demand) parseDemand(demand.value);
}
