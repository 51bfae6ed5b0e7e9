import { isCloudError } from '../../contracts/cloud.ts';
import type { Plan } from '../../contracts/engine.ts';
import type { DecisionKind } from '../../contracts/reconcile.ts';
import type { InstanceRecord } from '../../contracts/records.ts';
import { recordTermination } from '../../services/activities.ts';
import { decide, type ReconcilerDeps } from './deps.ts';
import type { DomainState } from './state.ts';

type Termination = Plan['terminations'][number];

const KIND_OF: Record<Termination['reason'], DecisionKind> = {
  'scale-in': 'terminate',
  'over-site-cap': 'terminate',
  unhealthy: 'replace',
};

/**
 * Takes the chosen instances out of service (Terminating, with an activity and a decision
 * each) and terminates them plus any the user already marked Terminating: one cloud call per
 * site. Replacing instances that never passed their health check backs the group's next such
 * replacement off.
 */
export async function terminate(
  deps: ReconcilerDeps,
  state: DomainState,
  chosen: Plan['terminations'],
  signal: AbortSignal,
): Promise<void> {
  const records = [...state.records.values()];
  if (chosen.length === 0 && !records.some((r) => r.lifecycleState === 'Terminating')) return;
  const replacementUntil = replacementBackoff(deps, state, chosen);
  const reasons = new Map(chosen.map((t) => [t.instanceId, t.reason]));
  const bySite = new Map<string, string[]>();
  for (const record of records) {
    const reason = reasons.get(record.instanceId);
    if (reason === undefined && record.lifecycleState !== 'Terminating') continue;
    if (reason !== undefined && record.lifecycleState !== 'Terminating')
      await takeOutOfService(deps, state, record, reason, replacementUntil);
    const ids = bySite.get(record.site);
    if (ids) ids.push(record.instanceId);
    else bySite.set(record.site, [record.instanceId]);
  }
  for (const [site, ids] of bySite) await terminateOn(deps, state.group.owner, site, ids, signal);
}

/** Starts the group's replacement backoff when `chosen` replaces instances that never passed their check. */
function replacementBackoff(deps: ReconcilerDeps, state: DomainState, chosen: Plan['terminations']): Date | undefined {
  const neverPassed = chosen.filter(
    (t) => t.reason === 'unhealthy' && state.failedChecks.get(t.instanceId)?.neverPassed === true,
  ).length;
  if (neverPassed === 0) return undefined;
  const { owner, name } = state.group;
  const until = deps.backoff.replacementFailure(owner, name, deps.clock.now());
  decide(deps, {
    kind: 'replacement-backoff',
    owner,
    group: name,
    count: neverPassed,
    reason: 'never passed its health check',
    until,
  });
  return until;
}

async function takeOutOfService(
  deps: ReconcilerDeps,
  state: DomainState,
  record: InstanceRecord,
  reason: Termination['reason'],
  replacementUntil: Date | undefined,
): Promise<void> {
  const now = deps.clock.now();
  const next: InstanceRecord = { ...record, lifecycleState: 'Terminating' };
  await deps.store.putInstance(next);
  state.records.set(record.instanceId, next);
  const check = state.failedChecks.get(record.instanceId);
  let why = 'a difference between desired and actual capacity';
  if (reason === 'unhealthy') why = `its health status being Unhealthy${check ? ` (${check.description})` : ''}`;
  const backedOff =
    check?.neverPassed && replacementUntil
      ? ` It never passed its health check, so the next replacement of such an instance waits until ${replacementUntil.toISOString()}.`
      : '';
  const activity = await recordTermination(
    deps.store,
    record,
    now,
    `At ${now.toISOString()} an instance was taken out of service in response to ${why}.${backedOff}`,
  );
  decide(deps, {
    kind: KIND_OF[reason],
    owner: record.owner,
    group: record.groupName,
    site: record.site,
    count: 1,
    reason,
    activityId: activity.activityId,
  });
}

/** Asks `site` to terminate `ids`. A cloud error leaves them to the next pass; the rest of this one goes on. */
export async function terminateOn(
  deps: ReconcilerDeps,
  owner: string,
  site: string,
  ids: string[],
  signal: AbortSignal,
): Promise<void> {
  try {
    await (await deps.driverFor(owner, site)).terminate(ids, signal);
  } catch (error) {
    if (!isCloudError(error)) throw error;
  }
}
