import type { GroupRecord, Tag, User } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import { capsTotal, checkWithinCaps } from '../domain/capacity.ts';
import { resolvePlacement, type PlacementContext } from '../domain/placement.ts';
import { checkTags } from '../domain/tags.ts';
import { requireGroup } from './addressing.ts';
import type { ServiceDeps } from './deps.ts';
import { checkSensor, placementContext } from './groups.ts';
import { touchedGroups, type WriteEffect } from './write-effect.ts';

/** A tag addressed to a group, as CreateOrUpdateTags/DeleteTags/DescribeTags carry it. */
export interface GroupTag extends Tag {
  /** The group's name (or, in CreateOrUpdateTags/DeleteTags input, its exact ARN). */
  resourceId: string;
}

/** The caps total of `group`'s placement; unbounded when it does not resolve (nothing was held to caps). */
function totalOf(group: GroupRecord, ctx: PlacementContext): number {
  try {
    return capsTotal(resolvePlacement(group, ctx));
  } catch {
    return Infinity;
  }
}

/**
 * Re-validates a group whose tags changed: its placement must resolve, and a change that
 * lowers a domain's caps total may not leave it below the current desired capacity.
 * @throws PhantomError Validation.
 */
function checkRetagged(before: GroupRecord, after: GroupRecord, ctx: PlacementContext): void {
  const placement = resolvePlacement(after, ctx);
  if (capsTotal(placement) < totalOf(before, ctx)) checkWithinCaps(after, placement);
  checkSensor(after);
}

/** Groups the tags address (names or exact ARNs), each with its tags, by the group's name. */
async function addressedGroups<T extends { resourceId: string }>(
  store: Store,
  user: User,
  tags: readonly T[],
): Promise<Map<string, { group: GroupRecord; changes: T[] }>> {
  const byGroup = new Map<string, { group: GroupRecord; changes: T[] }>();
  const resolved = new Map<string, GroupRecord>();
  for (const tag of tags) {
    let group = resolved.get(tag.resourceId);
    if (!group) resolved.set(tag.resourceId, (group = await requireGroup(store, user.id, tag.resourceId)));
    const entry = byGroup.get(group.name) ?? { group, changes: [] };
    entry.changes.push(tag);
    byGroup.set(group.name, entry);
  }
  return byGroup;
}

/** Applies `edit` to the tag sets of the addressed groups in one transaction, re-validating each domain. */
async function editTags<T extends { resourceId: string }>(
  deps: ServiceDeps,
  user: User,
  tags: readonly T[],
  edit: (current: Tag[], changes: T[]) => Tag[],
): Promise<{ effect: WriteEffect }> {
  const names = await deps.store.transaction(async (tx) => {
    const byGroup = await addressedGroups(tx, user, tags);
    let ctx: PlacementContext | undefined;
    for (const [name, { group, changes }] of byGroup) {
      const next: GroupRecord = { ...group, tags: edit(group.tags, changes) };
      checkTags(name, next.tags, deps.healthCheckAllowHosts);
      if (!group.deleting) checkRetagged(group, next, (ctx ??= await placementContext(tx, deps.sites(), user.id)));
      await tx.updateGroup(next);
    }
    return [...byGroup.keys()];
  });
  return { effect: touchedGroups(...names) };
}

/**
 * CreateOrUpdateTags: existing keys are overwritten in place, new keys appended. Changing a
 * Phantom policy tag (e.g. `clouds`) re-validates the domain; lowering its caps below the
 * desired capacity is refused. All-or-nothing.
 * @throws PhantomError NotFound, Validation, LimitExceeded.
 */
export async function createOrUpdateTags(
  deps: ServiceDeps,
  user: User,
  tags: GroupTag[],
): Promise<{ effect: WriteEffect }> {
  return editTags(deps, user, tags, (current, changes) => {
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
): Promise<{ effect: WriteEffect }> {
  return editTags(deps, user, tags, (current, changes) =>
    current.filter((t) => !changes.some((c) => c.key === t.key && (c.value === undefined || c.value === t.value))),
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
