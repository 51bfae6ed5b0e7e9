import { groupBy } from '../../lib/group-by.ts';
import type { CloudInstance } from '../../contracts/cloud.ts';
import type { GroupRecord, InstanceRecord } from '../../contracts/records.ts';
import { completeTermination } from '../../services/activities.ts';
import { lifecycleOf, TAG } from '../ownership.ts';
import { decide, PAUSE_EVERY, type ReconcilerDeps } from './deps.ts';
import { terminateOn } from './terminate.ts';
import { live, type DomainState } from './state.ts';

/**
 * Adopts what launched: each pending intent whose instance a cloud reports becomes launched,
 * and each instance tagged with an intent but without a record gets one (unless already gone).
 */
export async function adopt(deps: ReconcilerDeps, state: DomainState): Promise<void> {
  const now = deps.clock.now();
  let n = 0;
  for (const [site, instances] of state.observed) {
    for (const cloud of instances) {
      if (++n % PAUSE_EVERY === 0) await deps.pause?.();
      const intentId = cloud.tags[TAG.intent];
      if (intentId === undefined) continue;
      const intent = state.pending.get(intentId);
      if (intent) {
        state.pending.delete(intentId);
        await deps.store.updateIntent({ ...intent, state: 'launched', instanceId: cloud.id, updatedTime: now });
        deps.backoff.transientRecovered(site); // the launch reached the cloud after all
      }
      if (state.records.has(cloud.id) || lifecycleOf(cloud).lifecycleState === 'Terminated') continue;
      const launchConfigurationName = intent?.launchConfigurationName ?? state.group.launchConfigurationName;
      const record = newRecord(state.group, site, cloud, launchConfigurationName);
      await deps.store.putInstance(record);
      state.records.set(cloud.id, record);
    }
  }
}

/**
 * Records follow their cloud's state (a user's Terminating and an Unhealthy mark stick until
 * the cloud says gone), HTTP health verdicts are read, and instances nothing explains (or that
 * failed in the cloud and may hold quota) are noted as orphans.
 */
export async function follow(deps: ReconcilerDeps, state: DomainState): Promise<void> {
  const now = deps.clock.now();
  let n = 0;
  for (const [site, instances] of state.observed) {
    for (const cloud of instances) {
      if (++n % PAUSE_EVERY === 0) await deps.pause?.();
      if (cloud.state === 'failed') state.orphans.push({ site, id: cloud.id, reason: 'failed-in-cloud' });
      const record = state.records.get(cloud.id);
      if (!record) {
        if (isUntracked(deps, cloud, now)) state.orphans.push({ site, id: cloud.id, reason: 'untracked' });
        continue;
      }
      const next = followed(deps, state, record, cloud, now);
      if (next === record) continue; // unchanged (the common case): no copy, no write
      await deps.store.putInstance(next);
      state.records.set(cloud.id, next);
    }
  }
}

const isUntracked = (deps: ReconcilerDeps, cloud: CloudInstance, now: Date): boolean =>
  cloud.tags[TAG.intent] === undefined &&
  cloud.state !== 'terminated' &&
  cloud.state !== 'failed' &&
  now.getTime() - cloud.launchedAt.getTime() > deps.graceMs;

function followed(
  deps: ReconcilerDeps,
  state: DomainState,
  record: InstanceRecord,
  cloud: CloudInstance,
  now: Date,
): InstanceRecord {
  const seen = lifecycleOf(cloud);
  const lifecycleState =
    record.lifecycleState === 'Terminating' && seen.lifecycleState !== 'Terminated'
      ? record.lifecycleState
      : seen.lifecycleState;
  let healthStatus = record.healthStatus === 'Unhealthy' ? 'Unhealthy' : seen.healthStatus;
  if (
    lifecycleState === 'InService' &&
    seen.healthStatus === 'Healthy' &&
    failsHealthCheck(deps, state, record, cloud, now)
  )
    healthStatus = 'Unhealthy';
  return lifecycleState === record.lifecycleState && healthStatus === record.healthStatus
    ? record
    : { ...record, lifecycleState, healthStatus };
}

/**
 * The HTTP health check's verdict on an in-service instance past its grace period (noted in
 * `failedChecks`). An instance launched since the group's last replacement that passes ends
 * the group's replacement backoff.
 */
function failsHealthCheck(
  deps: ReconcilerDeps,
  state: DomainState,
  record: InstanceRecord,
  cloud: CloudInstance,
  now: Date,
): boolean {
  const { group, httpCheck } = state;
  if (!httpCheck || !deps.health || now.getTime() < record.createdTime.getTime() + group.healthCheckGracePeriod * 1000)
    return false;
  const failure = deps.health.verdict(group.owner, group.name, httpCheck, cloud); // a CloudInstance is a CheckedInstance
  const passed = deps.health.passedOnce(cloud.id);
  if (failure !== undefined) state.failedChecks.set(cloud.id, { description: failure, neverPassed: !passed });
  else if (passed) deps.backoff.replacementRecovered(group.owner, group.name, record.createdTime);
  return failure !== undefined;
}

/**
 * Records whose instance its (observed) cloud reports terminated, or has not reported for the
 * grace window, are forgotten: their termination activity completes and the record goes.
 */
export async function forget(deps: ReconcilerDeps, state: DomainState): Promise<void> {
  const now = deps.clock.now();
  let n = 0;
  for (const record of [...state.records.values()]) {
    if (++n % PAUSE_EVERY === 0) await deps.pause?.();
    if (!state.observed.has(record.site)) continue; // site not observed this pass: keep what we know
    const cloud = state.clouds.get(record.instanceId);
    const gone = cloud
      ? lifecycleOf(cloud).lifecycleState === 'Terminated'
      : now.getTime() - record.createdTime.getTime() > deps.graceMs;
    if (!gone) continue;
    const why = cloud ? `${cloud.state}${cloud.stateReason ? ` (${cloud.stateReason})` : ''}` : 'missing';
    await completeTermination(deps.store, record, now, why);
    deps.health?.forget(record.instanceId);
    await deps.store.deleteInstance(state.group.owner, record.instanceId);
    state.records.delete(record.instanceId);
  }
}

/** Terminates the orphans: one cloud call per site, one "shed" decision per site and reason. */
export async function shedOrphans(deps: ReconcilerDeps, state: DomainState, signal: AbortSignal): Promise<void> {
  const bySite = groupBy(state.orphans, (orphan) => orphan.site);
  for (const [site, orphans] of bySite) {
    await terminateOn(
      deps,
      state.group.owner,
      site,
      orphans.map((o) => o.id),
      signal,
    );
    for (const reason of ['failed-in-cloud', 'untracked'] as const) {
      const count = orphans.filter((o) => o.reason === reason).length;
      if (count > 0)
        decide(deps, { kind: 'shed', owner: state.group.owner, group: state.group.name, site, count, reason });
    }
  }
}

/** A group being deleted goes once nothing of it is left (no live record, no pending intent). */
export async function removeIfDeleted(deps: ReconcilerDeps, state: DomainState): Promise<boolean> {
  const { group } = state;
  if (!group.deleting || state.pending.size > 0 || [...state.records.values()].some(live)) return false;
  await deps.store.deleteGroup(group.owner, group.name);
  return true;
}

/** A new instance record for a cloud instance of the group. */
export function newRecord(
  group: GroupRecord,
  site: string,
  cloud: CloudInstance,
  launchConfigurationName: string,
): InstanceRecord {
  return {
    owner: group.owner,
    groupName: group.name,
    instanceId: cloud.id,
    site,
    ...lifecycleOf(cloud),
    launchConfigurationName,
    instanceType: cloud.instanceType,
    protectedFromScaleIn: group.newInstancesProtectedFromScaleIn,
    createdTime: cloud.launchedAt,
  };
}
