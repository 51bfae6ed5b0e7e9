import type {
  AlarmDefinition,
  AlarmHistoryItem,
  AlarmHistoryType,
  AlarmRecord,
  AlarmState,
  AlarmStateChange,
} from '../contracts/alarm.ts';
import { PhantomError } from '../contracts/errors.ts';
import type { User } from '../contracts/records.ts';
import { ALARM_LIMITS, validateAlarm, type PutMetricAlarmInput } from '../domain/alarm.ts';
import { invalid, type ServiceDeps } from './deps.ts';

/** The alarm ARN CloudWatch shows, in Phantom's partition and region. */
export const alarmArn = (owner: string, name: string): string =>
  `arn:phantom:cloudwatch:phantom:${owner}:alarm:${name}`;

/** A new alarm of `owner`, in INSUFFICIENT_DATA as CloudWatch creates them; owned by a policy when `ownerPolicyArn` is given. */
export function newAlarmRecord(
  owner: string,
  definition: AlarmDefinition,
  now: Date,
  ownerPolicyArn?: string,
): AlarmRecord {
  return {
    owner,
    arn: alarmArn(owner, definition.name),
    definition,
    state: 'INSUFFICIENT_DATA',
    stateReason: 'Unchecked: Initial alarm creation',
    stateUpdatedTime: now,
    configurationUpdatedTime: now,
    ...(ownerPolicyArn !== undefined ? { ownerPolicyArn } : {}),
  };
}

/** CloudWatch's wording for an alarm that is not there. */
const alarmNotFound = (name: string): PhantomError =>
  new PhantomError('NotFound', `Alarm ${name.slice(0, 255)} does not exist.`);

/** A history item of `alarm` now. */
function historyItem(
  deps: ServiceDeps,
  owner: string,
  alarmName: string,
  type: AlarmHistoryType,
  summary: string,
  data: unknown,
): AlarmHistoryItem {
  return { owner, alarmName, type, timestamp: deps.clock.now(), summary, data: JSON.stringify(data) };
}

/** Whether `text` is a JSON object or array (StateReasonData must be JSON). */
function isJson(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

/**
 * PutMetricAlarm: creates the caller's alarm in INSUFFICIENT_DATA, or replaces an existing
 * alarm's definition keeping its state. Idempotent for the same input. A ConfigurationUpdate
 * history item records it.
 * @throws PhantomError Validation (AWS's rules, see validateAlarm), LimitExceeded (more than
 *   ALARM_LIMITS.alarmsPerUser), Validation also when the alarm belongs to a target tracking policy.
 */
export async function putMetricAlarm(deps: ServiceDeps, user: User, input: PutMetricAlarmInput): Promise<AlarmRecord> {
  const definition = validateAlarm(input, user.id);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const existing = await tx.getAlarm(user.id, definition.name);
    if (existing?.ownerPolicyArn !== undefined)
      throw new PhantomError(
        'Validation',
        `Alarm ${definition.name} belongs to the target tracking policy ${existing.ownerPolicyArn}; change the policy instead.`,
      );
    if (!existing && (await tx.countAlarms(user.id)) >= ALARM_LIMITS.alarmsPerUser)
      throw new PhantomError(
        'LimitExceeded',
        `The maximum number of alarms (${ALARM_LIMITS.alarmsPerUser}) has been reached.`,
      );
    const record: AlarmRecord = existing
      ? { ...existing, definition, configurationUpdatedTime: now }
      : newAlarmRecord(user.id, definition, now);
    await tx.putAlarm(record);
    const verb = existing ? 'updated' : 'created';
    await tx.addAlarmHistory([
      historyItem(deps, user.id, definition.name, 'ConfigurationUpdate', `Alarm "${definition.name}" ${verb}`, {
        type: 'Update',
        version: '1.0',
      }),
    ]);
    return record;
  });
}

/**
 * DeleteAlarms: deletes the caller's named alarms; names that are not there are an error, as in
 * CloudWatch, and then nothing is deleted.
 * @throws PhantomError NotFound naming the first missing alarm; Validation for an alarm a target
 *   tracking policy owns, and Validation for more than 100 names.
 */
export async function deleteAlarms(deps: ServiceDeps, user: User, names: readonly string[]): Promise<void> {
  if (names.length > 100) throw invalid('At most 100 AlarmNames may be deleted at once.');
  await deps.store.transaction(async (tx) => {
    for (const name of names) {
      const alarm = await tx.getAlarm(user.id, name);
      if (!alarm) throw alarmNotFound(name);
      if (alarm.ownerPolicyArn !== undefined)
        throw new PhantomError(
          'Validation',
          `Alarm ${name} belongs to the target tracking policy ${alarm.ownerPolicyArn}; delete the policy instead.`,
        );
    }
    await tx.deleteAlarms(user.id, names);
  });
}

/**
 * SetAlarmState: sets the caller's alarm to a state until its next evaluation (CloudWatch's
 * testing aid). Records a StateUpdate history item; actions follow at the evaluator's next turn.
 * @throws PhantomError NotFound; Validation for an unknown state, a reason over 1023
 *   characters, or reason data that is not JSON (or over 4000 characters).
 */
export async function setAlarmState(
  deps: ServiceDeps,
  user: User,
  input: { alarmName: string; state: string; reason: string; reasonData?: string },
): Promise<AlarmStateChange> {
  const states: readonly AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
  if (!(states as readonly string[]).includes(input.state))
    throw invalid(`Invalid value '${input.state.slice(0, 64)}' for StateValue: must be one of ${states.join(', ')}.`);
  if (input.reason.length > 1023) throw invalid('StateReason must be at most 1023 characters.');
  if (input.reasonData !== undefined && (input.reasonData.length > 4000 || !isJson(input.reasonData)))
    throw invalid('StateReasonData must be JSON of at most 4000 characters.');
  const change: AlarmStateChange = {
    state: input.state as AlarmState,
    reason: input.reason,
    ...(input.reasonData !== undefined ? { reasonData: input.reasonData } : {}),
    at: deps.clock.now(),
  };
  await deps.store.transaction(async (tx) => {
    const alarm = await tx.getAlarm(user.id, input.alarmName);
    if (!alarm) throw alarmNotFound(input.alarmName);
    await tx.setAlarmState(user.id, input.alarmName, change);
    await tx.addAlarmHistory([
      historyItem(
        deps,
        user.id,
        input.alarmName,
        'StateUpdate',
        `Alarm updated from ${alarm.state} to ${change.state}`,
        {
          version: '1.0',
          oldState: { stateValue: alarm.state },
          newState: { stateValue: change.state, stateReason: change.reason },
        },
      ),
    ]);
  });
  return change;
}
