import type { Store } from '../../contracts/store.ts';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Actions that change nothing the controller acts on (launch configurations are read per launch). */
const NO_RECONCILE = new Set(['CreateLaunchConfiguration', 'DeleteLaunchConfiguration']);

/**
 * Which of the writer's groups an API write may have changed, so the controller reconciles
 * just those at once: the named group, the groups addressed by tags, or the group holding
 * the instance a call names. Pure apart from one store read for instance-addressed calls.
 * @param input The action's decoded input (as the Query API's shape decoder produced it).
 * @returns Group names (possibly empty), or undefined when the write could touch any of the
 *   owner's groups (the caller then reconciles them all). Never throws for odd input.
 */
export async function groupsTouchedBy(
  store: Store,
  owner: string,
  action: string,
  input: unknown,
): Promise<string[] | undefined> {
  if (NO_RECONCILE.has(action)) return [];
  const named = groupsNamedIn(input);
  if (named) return named;
  if (isRecord(input) && typeof input.InstanceId === 'string') {
    const instance = await store.getInstance(owner, input.InstanceId);
    return instance ? [instance.groupName] : [];
  }
  return undefined;
}

/**
 * The groups a write's input names itself (AutoScalingGroupName, or the tags' ResourceIds),
 * or undefined when it names none. Pure and synchronous, so a write can be marked at once.
 */
export function groupsNamedIn(input: unknown): string[] | undefined {
  if (!isRecord(input)) return undefined;
  if (typeof input.AutoScalingGroupName === 'string') return [input.AutoScalingGroupName];
  if (Array.isArray(input.Tags)) {
    const names = input.Tags.map((t) => (isRecord(t) ? t.ResourceId : undefined)).filter(
      (n): n is string => typeof n === 'string',
    );
    return names.length > 0 ? [...new Set(names)] : undefined;
  }
  return undefined;
}
