import { CloudError, isCloudError, type CloudInstance } from '../../contracts/cloud.ts';
import type { LaunchConfigurationRecord, LaunchIntentRecord } from '../../contracts/records.ts';
import { parseLaunchConfigurationName, siteEntryName } from '../../domain/names.ts';
import { recordLaunch } from '../../services/activities.ts';
import { domainTags, TAG } from '../ownership.ts';
import type { LaunchBackoff } from '../runtime/backoff.ts';
import { decide, type ReconcilerDeps } from './deps.ts';
import type { DomainState } from './state.ts';
import { newRecord } from './sync.ts';

/** How one launch call ended: the site backed off (re-plan), or not. */
export type LaunchOutcome = 'launched' | 'pending' | 'failed' | 'backed-off';

/**
 * Takes a launch slot for the domain's owner on `site` from the batch's budget. When the
 * budget says no, the site gets no more launches this pass (no failure, no backoff).
 */
export function takeLaunchSlot(deps: ReconcilerDeps, state: DomainState, site: string): boolean {
  if (state.budgetSpent.has(site)) return false;
  if (!deps.launchBudget || deps.launchBudget.take(state.group.owner, site)) return true;
  state.budgetSpent.add(site);
  return false;
}

/**
 * Launches one instance on `site`, or retries `existing` with its own client token. A new
 * intent is stored before the cloud call. A CloudError becomes a failed activity (and a
 * backoff where the kind calls for one); any other error propagates (a bug, not the user's).
 */
export async function launchOne(
  deps: ReconcilerDeps,
  state: DomainState,
  site: string,
  signal: AbortSignal,
  existing?: LaunchIntentRecord,
): Promise<LaunchOutcome> {
  const now = deps.clock.now();
  const entry = await launchConfigurationFor(deps, state, site, existing);
  const intent = existing ?? newIntent(deps, state, site, entry, now);
  if (!existing) {
    await deps.store.createIntent(intent);
    state.pending.set(intent.intentId, intent);
  }
  let cloud: CloudInstance;
  try {
    cloud = await callLaunch(deps, state, site, intent, entry, signal);
  } catch (error) {
    if (!isCloudError(error)) throw error;
    return refused(deps, state, intent, error, now);
  }
  await launched(deps, state, intent, cloud, now);
  return 'launched';
}

function newIntent(
  deps: ReconcilerDeps,
  state: DomainState,
  site: string,
  entry: LaunchConfigurationRecord | undefined,
  now: Date,
): LaunchIntentRecord {
  return {
    intentId: deps.newIntentId(),
    owner: state.group.owner,
    groupName: state.group.name,
    site,
    launchConfigurationName: entry?.name ?? state.group.launchConfigurationName,
    state: 'pending',
    attempts: 0,
    createdTime: now,
    updatedTime: now,
    generation: 0,
  };
}

/** @throws CloudError from the driver; `invalid` when the launch configuration has no entry for the site. */
async function callLaunch(
  deps: ReconcilerDeps,
  state: DomainState,
  site: string,
  intent: LaunchIntentRecord,
  entry: LaunchConfigurationRecord | undefined,
  signal: AbortSignal,
): Promise<CloudInstance> {
  const { owner, name } = state.group;
  if (!entry) {
    const { base } = parseLaunchConfigurationName(intent.launchConfigurationName);
    throw new CloudError('invalid', `Launch configuration ${base} has no entry for site ${site}`);
  }
  const driver = await deps.driverFor(owner, site);
  return driver.launch(
    {
      clientToken: intent.intentId,
      imageId: entry.imageId,
      instanceType: entry.instanceType,
      keyName: entry.keyName,
      userData: entry.userData,
      securityGroups: entry.securityGroups,
      tags: { ...domainTags(deps.installationId, owner, name), [TAG.intent]: intent.intentId },
    },
    signal,
  );
}

async function launched(
  deps: ReconcilerDeps,
  state: DomainState,
  intent: LaunchIntentRecord,
  cloud: CloudInstance,
  started: Date,
): Promise<void> {
  const { group } = state;
  const { site } = intent;
  const now = deps.clock.now();
  await deps.store.updateIntent({
    ...intent,
    state: 'launched',
    instanceId: cloud.id,
    attempts: intent.attempts + 1,
    updatedTime: now,
  });
  state.pending.delete(intent.intentId);
  const record = newRecord(group, site, cloud, intent.launchConfigurationName);
  await deps.store.putInstance(record);
  state.records.set(cloud.id, record);
  for (const ended of deps.backoff.launchSuccess(site, group.owner))
    decide(deps, {
      kind: 'backoff-end',
      owner: group.owner,
      ...(ended.siteWide ? {} : { group: group.name }),
      site,
      reason: ended.reason,
    });
  const activityId = await recordLaunch(deps.store, group, site, { instanceId: cloud.id }, started, now);
  decide(deps, {
    kind: 'launch',
    owner: group.owner,
    group: group.name,
    site,
    count: 1,
    reason: 'desired-capacity',
    activityId,
  });
}

/**
 * A refused launch: a failed activity; transient and throttled errors keep the intent for a
 * retry with the same token, unless the site is now backed off (then its instance, if the
 * cloud made one after all, is adopted by its tags).
 */
async function refused(
  deps: ReconcilerDeps,
  state: DomainState,
  intent: LaunchIntentRecord,
  error: CloudError,
  started: Date,
): Promise<LaunchOutcome> {
  const { group } = state;
  const { site } = intent;
  const now = deps.clock.now();
  const backoff = deps.backoff.launchFailure(site, group.owner, error.kind, now);
  const keep = (error.kind === 'transient' || error.kind === 'throttled') && !backoff;
  const next: LaunchIntentRecord = {
    ...intent,
    state: keep ? 'pending' : 'failed',
    attempts: intent.attempts + 1,
    lastError: error.providerMessage,
    updatedTime: now,
  };
  await deps.store.updateIntent(next);
  if (keep) state.pending.set(intent.intentId, next);
  else state.pending.delete(intent.intentId);
  const activityId = await recordLaunch(deps.store, group, site, { error: error.providerMessage }, started, now);
  decide(deps, {
    kind: 'launch-failed',
    owner: group.owner,
    group: group.name,
    site,
    count: 1,
    reason: error.kind,
    activityId,
  });
  if (backoff?.started) reportBackoffStart(deps, state, site, backoff);
  if (backoff) return 'backed-off';
  return keep ? 'pending' : 'failed';
}

/** A new backoff episode: site-wide ones (capacity, repeated transient errors) name no group. */
function reportBackoffStart(deps: ReconcilerDeps, state: DomainState, site: string, backoff: LaunchBackoff): void {
  decide(deps, {
    kind: 'backoff-start',
    owner: state.group.owner,
    ...(backoff.siteWide ? {} : { group: state.group.name }),
    site,
    reason: backoff.reason,
    until: backoff.until,
  });
}

/**
 * The launch configuration serving `site` (`name@site`, else the site-agnostic `name`), or the
 * one `existing` was made with; read once per name per pass.
 */
async function launchConfigurationFor(
  deps: ReconcilerDeps,
  state: DomainState,
  site: string,
  existing?: LaunchIntentRecord,
): Promise<LaunchConfigurationRecord | undefined> {
  if (existing) return launchConfiguration(deps, state, existing.launchConfigurationName);
  const { base } = parseLaunchConfigurationName(state.group.launchConfigurationName);
  return (await launchConfiguration(deps, state, siteEntryName(base, site))) ?? launchConfiguration(deps, state, base);
}

async function launchConfiguration(
  deps: ReconcilerDeps,
  state: DomainState,
  name: string,
): Promise<LaunchConfigurationRecord | undefined> {
  if (state.launchConfigurations.has(name)) return state.launchConfigurations.get(name);
  const entry = await deps.store.getLaunchConfiguration(state.group.owner, name);
  state.launchConfigurations.set(name, entry);
  return entry;
}
