import { PhantomError } from '../../contracts/errors.ts';
import type { AlarmDefinition, AlarmState } from '../../domain/alarm.ts';

/**
 * When an alarm evaluates and when its Auto Scaling actions are due. Pure: every instant is a
 * plain `now` in epoch milliseconds. Periods are aligned to the epoch (a 60 s period starts on
 * the minute), as CloudWatch aligns its statistics.
 */

/** The timing fields of an alarm the schedule needs. */
export type AlarmTiming = Pick<AlarmDefinition, 'period' | 'evaluationPeriods'>;

/**
 * How many periods CloudWatch looks back beyond EvaluationPeriods. AWS retrieves "a higher number
 * of data points than Evaluation Periods" (the evaluation range) without fixing the count; its
 * documented example uses 5 for 3 evaluation periods, so Phantom looks back N + 2 periods.
 */
export const EXTRA_RANGE_PERIODS = 2;

/** Auto Scaling actions repeat every minute while the alarm stays in the state (repost.aws, autoscaling-policy-cloudwatch-alarm). */
export const ACTION_REPEAT_MS = 60_000;

function requireInstant(name: string, value: number): number {
  if (!Number.isFinite(value)) throw new PhantomError('Validation', `${name} must be a finite instant, got ${value}.`);
  return value;
}

function periodMs(alarm: AlarmTiming): number {
  if (!Number.isInteger(alarm.period) || alarm.period < 1)
    throw new PhantomError('Validation', `Period must be a positive whole number of seconds, got ${alarm.period}.`);
  if (!Number.isInteger(alarm.evaluationPeriods) || alarm.evaluationPeriods < 1)
    throw new PhantomError('Validation', `EvaluationPeriods must be at least 1, got ${alarm.evaluationPeriods}.`);
  return alarm.period * 1000;
}

/**
 * The start of the latest period that has closed at `now` (a period [s, s + p) closes at s + p).
 * @throws PhantomError Validation for a non-finite `now` or a bad period.
 */
export function latestClosedPeriodStart(alarm: AlarmTiming, now: number): number {
  const p = periodMs(alarm);
  return Math.floor(requireInstant('now', now) / p) * p - p;
}

/**
 * The period starts (epoch ms, oldest first) of the evaluation range at `now`: the
 * EvaluationPeriods + {@link EXTRA_RANGE_PERIODS} latest closed periods. The period still open
 * at `now` is never included; it joins the range once it has closed.
 * @throws PhantomError Validation for a non-finite `now` or a bad period.
 */
export function evaluationRange(alarm: AlarmTiming, now: number): number[] {
  const p = periodMs(alarm);
  const latest = latestClosedPeriodStart(alarm, now);
  const count = alarm.evaluationPeriods + EXTRA_RANGE_PERIODS;
  return Array.from({ length: count }, (_, i) => latest - (count - 1 - i) * p);
}

/**
 * Whether the alarm has a newly closed period to evaluate: true when it never evaluated, or when
 * a period has closed since the one it last evaluated (`lastEvaluatedPeriodStart`, epoch ms).
 * @throws PhantomError Validation for non-finite instants or a bad period.
 */
export function evaluationDue(alarm: AlarmTiming, lastEvaluatedPeriodStart: number | undefined, now: number): boolean {
  const latest = latestClosedPeriodStart(alarm, now);
  if (lastEvaluatedPeriodStart === undefined) return true;
  return latest > requireInstant('lastEvaluatedPeriodStart', lastEvaluatedPeriodStart);
}

/**
 * The instant (epoch ms) the currently open period closes, i.e. when the next evaluation is due.
 * @throws PhantomError Validation for a non-finite `now` or a bad period.
 */
export function nextEvaluationAt(alarm: AlarmTiming, now: number): number {
  return latestClosedPeriodStart(alarm, now) + 2 * periodMs(alarm);
}

/** The action list an alarm state runs. */
export type ActionList = 'alarmActions' | 'okActions' | 'insufficientDataActions';

const LIST_OF: Record<AlarmState, ActionList> = {
  ALARM: 'alarmActions',
  OK: 'okActions',
  INSUFFICIENT_DATA: 'insufficientDataActions',
};

/**
 * Which of the alarm's action lists is due at `now` for Auto Scaling actions, or undefined when
 * none is. Due on entering the state (never invoked since `stateSince`), then again every
 * {@link ACTION_REPEAT_MS} while the alarm stays in that state, whatever the alarm's period.
 * @param lastInvokedAt Optional. When the actions last ran (epoch ms); undefined if never.
 * @param stateSince Required. When the alarm entered `state` (epoch ms).
 * @throws PhantomError Validation for non-finite instants.
 */
export function actionsDue(
  lastInvokedAt: number | undefined,
  state: AlarmState,
  stateSince: number,
  now: number,
): ActionList | undefined {
  requireInstant('now', now);
  requireInstant('stateSince', stateSince);
  if (now < stateSince) return undefined;
  if (lastInvokedAt === undefined || requireInstant('lastInvokedAt', lastInvokedAt) < stateSince) return LIST_OF[state];
  return now - lastInvokedAt >= ACTION_REPEAT_MS ? LIST_OF[state] : undefined;
}
