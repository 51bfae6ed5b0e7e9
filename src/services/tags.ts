import type { GroupRecord, Tag, User } from '../contracts/records.ts';
import { checkTags } from '../domain/tags.ts';
import { groupNotFound, type ServiceDeps } from './deps.ts';
import { placementOf } from './groups.ts';

/** A tag addressed to a group, as CreateOrUpdateTags/DeleteTags/DescribeTags carry it. */
export interface GroupTag extends Tag {
  resourceId: string;
}

/** Applies `edit` to the tag sets of the named groups in one transaction, re-validating each domain. */
async function editTags(
  deps: ServiceDeps,
  user: User,
  byGroup: Map<string, GroupTag[]>,
  edit: (current: Tag[], changes: GroupTag[]) => Tag[],
): Promise<void> {
  await deps.store.transaction(async (tx) => {
    for (const [name, changes] of byGroup) {
      const group = await tx.getGroup(user.id, name);
      if (!group) throw groupNotFound(name);
      const tags = edit(group.tags, changes);
      checkTags(name, tags, deps.healthCheckAllowHosts);
      const next: GroupRecord = { ...group, tags };
      if (!group.deleting) await placementOf(tx, deps.sites(), next);
      await tx.updateGroup(next);
    }
  });
}

const byResource = (tags: readonly GroupTag[]): Map<string, GroupTag[]> => {
  const map = new Map<string, GroupTag[]>();
  for (const tag of tags) map.set(tag.resourceId, [...(map.get(tag.resourceId) ?? []), tag]);
  return map;
};

/**
 * CreateOrUpdateTags: existing keys are overwritten in place, new keys appended. Changing a
 * Phantom policy tag (e.g. `clouds`) re-validates the domain. All-or-nothing.
 * @throws PhantomError NotFound, Validation, LimitExceeded.
 */
export async function createOrUpdateTags(deps: ServiceDeps, user: User, tags: GroupTag[]): Promise<void> {
  await editTags(deps, user, byResource(tags), (current, changes) => {
    const next = current.map((t) => ({ ...t }));
    for (const change of changes) {
      const tag = { key: change.key, value: change.value, propagateAtLaunch: change.propagateAtLaunch };
      const at = next.findIndex((t) => t.key === change.key);
      if (at >= 0) next[at] = tag;
      else next.push(tag);
    }
    return next;
  });
}

/**
 * DeleteTags: removes the given keys (a given Value must match the stored one). All-or-nothing.
 * @throws PhantomError NotFound, Validation (e.g. removing `clouds` from a domain).
 */
export async function deleteTags(
  deps: ServiceDeps,
  user: User,
  tags: Array<{ resourceId: string; key: string; value?: string }>,
): Promise<void> {
  const grouped = byResource(tags.map((t) => ({ ...t, value: t.value ?? '', propagateAtLaunch: false })));
  const valueGiven = new Set(tags.filter((t) => t.value !== undefined).map((t) => `${t.resourceId}\u0000${t.key}`));
  await editTags(deps, user, grouped, (current, changes) =>
    current.filter(
      (t) =>
        !changes.some(
          (c) => c.key === t.key && (!valueGiven.has(`${c.resourceId}\u0000${c.key}`) || c.value === t.value),
        ),
    ),
  );
}

/** A DescribeTags filter: `auto-scaling-group`, `key`, `value` or `propagate-at-launch`. */
export interface TagFilter {
  name: string;
  values: string[];
}

export const TAG_FILTER_NAMES = ['auto-scaling-group', 'key', 'value', 'propagate-at-launch'] as const;

/** Whether a group's tag passes every filter (values within one filter are OR-ed). */
export function tagMatches(tag: GroupTag, filters: readonly TagFilter[]): boolean {
  return filters.every((f) => {
    const field =
      f.name === 'auto-scaling-group'
        ? tag.resourceId
        : f.name === 'key'
          ? tag.key
          : f.name === 'value'
            ? tag.value
            : String(tag.propagateAtLaunch);
    return f.values.includes(field);
  });
}
