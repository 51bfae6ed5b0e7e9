import { PhantomError } from '../contracts/errors.ts';
import type { ScheduledActionRecord, User } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import { scheduledActionArn } from '../domain/arn.ts';
import { checkScheduledSizes, firstRunTime, type ScheduledSizes, type ScheduleTimes } from '../domain/schedule.ts';
import { invalid, type ServiceDeps } from './deps.ts';
import { groupForChange } from './groups.ts';
import { requireGroup } from './addressing.ts';
import { touchedGroups, type WriteEffect } from './write-effect.ts';

/** AWS's quota of scheduled actions per group. */
export const MAX_SCHEDULED_ACTIONS_PER_GROUP = 125;

/** Batch*ScheduledAction take at most this many items (AWS). */
export const MAX_SCHEDULED_ACTIONS_PER_BATCH = 50;

/** One PutScheduledUpdateGroupAction (already shape-checked); absent fields keep an existing action's values. */
export interface ScheduledActionInput extends ScheduleTimes, ScheduledSizes {
  name: string;
}

/** One item a batch could not write or delete, with the error the client is told. */
export interface ScheduledActionFailure {
  name: string;
  error: PhantomError;
}

/** AWS's wording for an unknown scheduled action. */
export const scheduledActionNotFound = (name: string): PhantomError =>
  new PhantomError('NotFound', `Scheduled action name not found - Scheduled action ${name} not found`);

const defined = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;

/** The stored action `input` makes of `existing` (or of nothing): given fields replace, absent ones stay. */
function merged(
  user: User,
  groupName: string,
  input: ScheduledActionInput,
  existing: ScheduledActionRecord | undefined,
  now: Date,
): ScheduledActionRecord {
  if (input.startTime && input.startTime.getTime() < now.getTime())
    throw invalid(`Given start time ${input.startTime.toISOString()} is in the past.`);
  const { name, ...given } = input;
  const { nextRunTime: _previous, ...kept } = existing ?? {
    owner: user.id,
    groupName,
    name,
    arn: scheduledActionArn(user.id, groupName, name),
    createdTime: now,
    nextRunTime: now,
  };
  const fields = { ...kept, ...defined(given) };
  checkScheduledSizes(fields);
  return { ...fields, nextRunTime: firstRunTime(fields, now) };
}

/**
 * Writes one action in `tx`: the group's quota for a new name, and no other action of the group
 * due at the same time ("A scheduled action must have a unique time value").
 * @throws PhantomError Validation, LimitExceeded, AlreadyExists (another action has that time).
 */
async function putOne(
  tx: Store,
  user: User,
  groupName: string,
  input: ScheduledActionInput,
  now: Date,
): Promise<ScheduledActionRecord> {
  const existing = await tx.getScheduledAction(user.id, groupName, input.name);
  const action = merged(user, groupName, input, existing, now);
  if (!existing && (await tx.countScheduledActions(user.id, groupName)) >= MAX_SCHEDULED_ACTIONS_PER_GROUP)
    throw new PhantomError(
      'LimitExceeded',
      `You have reached the limit of ${MAX_SCHEDULED_ACTIONS_PER_GROUP} scheduled actions for AutoScalingGroup ${groupName}.`,
    );
  const [clash] = await tx
    .listScheduledActions(user.id, {
      groupName,
      from: action.nextRunTime,
      to: action.nextRunTime,
      limit: 2,
    })
    .then((rows) => rows.filter((a) => a.name !== action.name));
  if (clash)
    throw new PhantomError(
      'AlreadyExists',
      `Scheduled action ${clash.name} of AutoScalingGroup ${groupName} is already scheduled at ${action.nextRunTime.toISOString()}; a scheduled action must have a unique time value.`,
    );
  await tx.putScheduledAction(action);
  return action;
}

/**
 * PutScheduledUpdateGroupAction: creates the action, or updates the one of that name (fields
 * not given keep their values). Idempotent for the same input.
 * @param groupRef The group's name or ARN.
 * @throws PhantomError NotFound (group), ScalingActivityInProgress (group being deleted),
 *   Validation (times, recurrence, zone, sizes), LimitExceeded (125 per group), AlreadyExists (time taken).
 */
export async function putScheduledAction(
  deps: ServiceDeps,
  user: User,
  groupRef: string,
  input: ScheduledActionInput,
): Promise<{ action: ScheduledActionRecord; effect: WriteEffect }> {
  const action = await deps.store.transaction(async (tx) => {
    const group = await groupForChange(tx, user, groupRef);
    return putOne(tx, user, group.name, input, deps.clock.now());
  });
  return { action, effect: touchedGroups() };
}

/**
 * BatchPutScheduledUpdateGroupAction: each item as PutScheduledUpdateGroupAction, on its own;
 * the items that fail are returned with their error and the others are written. A name given
 * twice fails the second time.
 * @throws PhantomError NotFound / ScalingActivityInProgress for the group; Validation beyond 50 items.
 */
export async function batchPutScheduledActions(
  deps: ServiceDeps,
  user: User,
  groupRef: string,
  inputs: readonly ScheduledActionInput[],
): Promise<{ failed: ScheduledActionFailure[]; effect: WriteEffect }> {
  checkBatchSize(inputs.length);
  const failed = await deps.store.transaction(async (tx) => {
    const group = await groupForChange(tx, user, groupRef);
    const now = deps.clock.now();
    const seen = new Set<string>();
    const failures: ScheduledActionFailure[] = [];
    for (const input of inputs) {
      try {
        if (seen.has(input.name))
          throw invalid(`Scheduled action ${input.name} appears more than once in the request.`);
        seen.add(input.name);
        await tx.transaction((item) => putOne(item, user, group.name, input, now));
      } catch (error) {
        if (!(error instanceof PhantomError) || error.code === 'Conflict') throw error;
        failures.push({ name: input.name, error });
      }
    }
    return failures;
  });
  return { failed, effect: touchedGroups() };
}

/**
 * DeleteScheduledAction.
 * @param groupRef The group's name or ARN.
 * @throws PhantomError NotFound (group or action).
 */
export async function deleteScheduledAction(
  deps: ServiceDeps,
  user: User,
  groupRef: string,
  name: string,
): Promise<{ effect: WriteEffect }> {
  await deps.store.transaction(async (tx) => {
    const group = await requireGroup(tx, user.id, groupRef);
    if (!(await tx.deleteScheduledAction(user.id, group.name, name))) throw scheduledActionNotFound(name);
  });
  return { effect: touchedGroups() };
}

/**
 * BatchDeleteScheduledAction: deletes each named action of the group; names with no action are
 * returned as failures (NotFound), the others deleted.
 * @throws PhantomError NotFound for the group; Validation beyond 50 names.
 */
export async function batchDeleteScheduledActions(
  deps: ServiceDeps,
  user: User,
  groupRef: string,
  names: readonly string[],
): Promise<{ failed: ScheduledActionFailure[]; effect: WriteEffect }> {
  checkBatchSize(names.length);
  const failed = await deps.store.transaction(async (tx) => {
    const group = await requireGroup(tx, user.id, groupRef);
    const failures: ScheduledActionFailure[] = [];
    for (const name of names)
      if (!(await tx.deleteScheduledAction(user.id, group.name, name)))
        failures.push({ name, error: scheduledActionNotFound(name) });
    return failures;
  });
  return { failed, effect: touchedGroups() };
}

function checkBatchSize(count: number): void {
  if (count === 0) throw invalid('At least one scheduled action must be given.');
  if (count > MAX_SCHEDULED_ACTIONS_PER_BATCH)
    throw invalid(
      `1 validation error detected: the request has ${count} scheduled actions; at most ${MAX_SCHEDULED_ACTIONS_PER_BATCH} are allowed.`,
    );
}
