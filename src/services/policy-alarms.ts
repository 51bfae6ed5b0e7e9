import type { ScalingPolicyRecord } from '../contracts/scaling-policy.ts';
import type { User } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';

/** An alarm a target tracking policy owns, as PutScalingPolicy and DescribePolicies show it. */
export interface PolicyAlarm {
  alarmName: string;
  alarmArn: string;
}

/**
 * SEAM for the alarms work: called by PutScalingPolicy inside its transaction, after the policy
 * is stored, with the stored record and the one it replaced (if any). It must create, replace or
 * delete the alarms a target tracking policy owns (AlarmHigh/AlarmLow, `ownerPolicyArn` set) and
 * return them; for other policy types it must delete alarms a replaced target tracking policy
 * owned and return []. Today it creates nothing and returns [].
 */
export async function syncTargetTrackingAlarms(
  _tx: Store,
  _user: User,
  _record: ScalingPolicyRecord,
  _previous: ScalingPolicyRecord | undefined,
): Promise<PolicyAlarm[]> {
  return [];
}

/**
 * SEAM for the alarms work: the alarms `record` owns (target tracking), for DescribePolicies'
 * `Alarms`. Today: [].
 */
export async function alarmsOfPolicy(_store: Store, _record: ScalingPolicyRecord): Promise<PolicyAlarm[]> {
  return [];
}

/**
 * SEAM for the alarms work: called by DeletePolicy inside its transaction before the policy is
 * deleted. It must delete the alarms a target tracking policy owns (AWS deletes them with the
 * policy); a simple or step policy's alarms stay, but the policy's ARN must be dropped from their
 * AlarmActions/OKActions/InsufficientDataActions ("deletes the underlying alarm action"). Today: nothing.
 */
export async function deletePolicyAlarms(_tx: Store, _record: ScalingPolicyRecord): Promise<void> {}
