import { createHash } from 'node:crypto';
import type { AlarmRecord } from '../contracts/alarm.ts';
import type { ScalingPolicyRecord } from '../contracts/scaling-policy.ts';
import type { User } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import { scalingPolicyArn } from '../domain/arn.ts';
import { targetTrackingAlarms } from '../engines/policies/target-tracking-alarms.ts';
import { alarmArn, newAlarmRecord } from './alarms.ts';

/** An alarm a target tracking policy owns, as PutScalingPolicy and DescribePolicies show it. */
export interface PolicyAlarm {
  alarmName: string;
  alarmArn: string;
}

/** Alarms are read a page at a time when a policy's ARN must be found in their actions. */
const PAGE = 500;

const arnOf = (r: ScalingPolicyRecord): string =>
  scalingPolicyArn(r.owner, r.policyId, r.groupName, r.policy.policyName);

/** A UUID-shaped id, the same for the same policy and role (a replaced policy keeps its alarm names). */
function ownedId(policyId: string, role: 'high' | 'low'): string {
  const hex = createHash('sha256').update(`${policyId}\u0000${role}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Every alarm of `owner` whose definition `keep` selects, read in pages. */
async function ownerAlarms(store: Store, owner: string, keep: (a: AlarmRecord) => boolean): Promise<AlarmRecord[]> {
  const out: AlarmRecord[] = [];
  for (let after: string | undefined; ;) {
    const page = await store.listAlarms(owner, { ...(after !== undefined ? { after } : {}), limit: PAGE });
    out.push(...page.filter(keep));
    if (page.length < PAGE) return out;
    after = page[page.length - 1]!.definition.name;
  }
}

/**
 * Called by PutScalingPolicy inside its transaction after the policy is stored: a target
 * tracking policy gets (or keeps, updated) its AlarmHigh and, unless DisableScaleIn, AlarmLow —
 * owned by the policy, state kept across an update — and alarms it no longer needs (or a
 * replaced target tracking policy's, when the type changed) are deleted. Returns the owned alarms.
 */
export async function syncTargetTrackingAlarms(
  tx: Store,
  user: User,
  record: ScalingPolicyRecord,
  previous: ScalingPolicyRecord | undefined,
): Promise<PolicyAlarm[]> {
  const policyArn = arnOf(record);
  const wanted =
    record.policy.policyType === 'TargetTrackingScaling'
      ? targetTrackingAlarms({
          groupName: record.groupName,
          policyArn,
          config: record.policy.targetTracking,
          ids: { high: ownedId(record.policyId, 'high'), low: ownedId(record.policyId, 'low') },
        })
      : [];
  const owned = previous ? await ownerAlarms(tx, user.id, (a) => a.ownerPolicyArn === arnOf(previous)) : [];
  const stale = owned.filter((a) => !wanted.some((w) => w.name === a.definition.name));
  await tx.deleteAlarms(
    user.id,
    stale.map((a) => a.definition.name),
  );
  const now = new Date(record.updatedTime.getTime());
  for (const definition of wanted) {
    const existing = owned.find((a) => a.definition.name === definition.name);
    await tx.putAlarm(
      existing
        ? { ...existing, definition, configurationUpdatedTime: now, ownerPolicyArn: policyArn }
        : newAlarmRecord(user.id, definition, now, policyArn),
    );
  }
  return wanted.map((d) => ({ alarmName: d.name, alarmArn: alarmArn(user.id, d.name) }));
}

/** The alarms `record` owns (target tracking), for DescribePolicies' `Alarms`. */
export async function alarmsOfPolicy(store: Store, record: ScalingPolicyRecord): Promise<PolicyAlarm[]> {
  if (record.policy.policyType !== 'TargetTrackingScaling') return [];
  const policyArn = arnOf(record);
  const owned = await store.listAlarms(record.owner, {
    namePrefix: `TargetTracking-${record.groupName}-`,
    limit: PAGE,
  });
  return owned
    .filter((a) => a.ownerPolicyArn === policyArn)
    .map((a) => ({ alarmName: a.definition.name, alarmArn: a.arn }));
}

/**
 * Called by DeletePolicy inside its transaction before the policy goes: the alarms it owns are
 * deleted (AWS deletes a target tracking policy's alarms with it); other alarms keep their
 * definition but lose the policy's ARN from their actions ("deletes the underlying alarm action").
 */
export async function deletePolicyAlarms(tx: Store, record: ScalingPolicyRecord): Promise<void> {
  const policyArn = arnOf(record);
  const naming = await ownerAlarms(
    tx,
    record.owner,
    (a) =>
      a.ownerPolicyArn === policyArn ||
      [a.definition.alarmActions, a.definition.okActions, a.definition.insufficientDataActions].some((l) =>
        l.includes(policyArn),
      ),
  );
  await tx.deleteAlarms(
    record.owner,
    naming.filter((a) => a.ownerPolicyArn === policyArn).map((a) => a.definition.name),
  );
  const without = (list: readonly string[]) => list.filter((arn) => arn !== policyArn);
  for (const alarm of naming.filter((a) => a.ownerPolicyArn !== policyArn))
    await tx.putAlarm({
      ...alarm,
      definition: {
        ...alarm.definition,
        alarmActions: without(alarm.definition.alarmActions),
        okActions: without(alarm.definition.okActions),
        insufficientDataActions: without(alarm.definition.insufficientDataActions),
      },
    });
}
