/**
 * What a committed write changed, in the terms the controller acts on, always within the
 * writer's own records:
 * - `groups`: exactly these groups (by name) changed; each is reconciled at once. May be empty.
 * - `owner`: any of the writer's groups may behave differently (a launch configuration was
 *   created or deleted: placements resolve `name@site` entries), so all of them are.
 */
export type WriteEffect = { readonly kind: 'groups'; readonly groups: readonly string[] } | { readonly kind: 'owner' };

/** The effect of a write that changed the named groups (duplicates dropped). */
export const touchedGroups = (...groups: string[]): WriteEffect => ({ kind: 'groups', groups: [...new Set(groups)] });

/** The effect of a write that may change how any of the writer's groups behave. */
export const touchedOwner: WriteEffect = { kind: 'owner' };
