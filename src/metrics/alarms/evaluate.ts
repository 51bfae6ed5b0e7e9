import { PhantomError } from '../../contracts/errors.ts';
import type { AlarmDefinition, AlarmState, ComparisonOperator } from '../../domain/alarm.ts';
import { crossingReason, insufficientReason, reasonData, type AlarmReasonData, type Datapoint } from './reason.ts';

export type { AlarmReasonData, Datapoint } from './reason.ts';

/**
 * CloudWatch's metric-alarm evaluation (M out of N, TreatMissingData) as a pure function.
 *
 * Rules (AWS, "Configuring how CloudWatch alarms treat missing data" and "Avoiding premature
 * transitions to alarm state"):
 * - The evaluation range holds more periods than EvaluationPeriods (N). When it holds at least N
 *   real datapoints, the N most recent real ones are evaluated and TreatMissingData plays no part.
 * - With fewer than N: `breaching` / `notBreaching` fill the missing ones (as few as needed to
 *   reach N) with breaching / good datapoints. `missing` and `ignore` fill nothing: the alarm goes
 *   to ALARM with M breaching real datapoints, to OK with N − M + 1 good ones (the "minimum …
 *   for ALARM -> OK transition" of CloudWatch's reasons), and otherwise keeps its state. `missing`
 *   also goes to ALARM early when, within the last N periods, the oldest breaching datapoint is
 *   at least M periods old and every later one is breaching or missing (`ignore` keeps its state then).
 * - With none at all: `missing` → INSUFFICIENT_DATA, `ignore` → current state kept,
 *   `breaching` → ALARM, `notBreaching` → OK.
 * ALARM needs at least DatapointsToAlarm (M) breaching datapoints among the N evaluated.
 */

/** The alarm fields evaluation reads. */
export type AlarmRule = Pick<
  AlarmDefinition,
  'period' | 'evaluationPeriods' | 'datapointsToAlarm' | 'threshold' | 'comparisonOperator' | 'treatMissingData'
> & { readonly statistic?: string };

/** What one evaluation concludes. */
export interface AlarmEvaluation {
  readonly state: AlarmState;
  /** True when `state` differs from the state the alarm was in. */
  readonly changed: boolean;
  /** StateReason (CloudWatch's wording); record it only when `changed`. */
  readonly reason: string;
  readonly reasonData: AlarmReasonData;
}

/** Input of {@link evaluateAlarm}. */
export interface AlarmEvaluationInput {
  readonly alarm: AlarmRule;
  /** Required. The evaluation range's period starts (epoch ms), as `evaluationRange` gives them. */
  readonly range: readonly number[];
  /** Required. Aggregated datapoints per period; a period without one is missing. Others are ignored. */
  readonly datapoints: readonly Datapoint[];
  readonly current: AlarmState;
  /** Required. The evaluation instant (epoch ms), for StateReasonData's queryDate. */
  readonly now: number;
}

const invalid = (message: string): PhantomError => new PhantomError('Validation', message);

/** Whether `value` breaches `threshold` under `operator`. */
export function breaches(operator: ComparisonOperator, value: number, threshold: number): boolean {
  switch (operator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

function checkRule(alarm: AlarmRule): void {
  const { evaluationPeriods: n, datapointsToAlarm: m } = alarm;
  if (!Number.isInteger(n) || n < 1) throw invalid(`EvaluationPeriods must be at least 1, got ${n}.`);
  if (!Number.isInteger(m) || m < 1 || m > n) throw invalid(`DatapointsToAlarm must be from 1 to ${n}, got ${m}.`);
  if (!Number.isFinite(alarm.threshold)) throw invalid(`Threshold must be a finite number, got ${alarm.threshold}.`);
}

/** The real datapoints inside the range, newest first, refusing non-finite values and duplicates. */
function realInRange(range: readonly number[], datapoints: readonly Datapoint[]): Datapoint[] {
  const periods = new Set(range);
  const seen = new Set<number>();
  const inRange: Datapoint[] = [];
  for (const point of datapoints) {
    if (!periods.has(point.timestamp)) continue;
    if (!Number.isFinite(point.value))
      throw invalid(`Datapoint at ${new Date(point.timestamp).toISOString()} is not a finite number: ${point.value}.`);
    if (seen.has(point.timestamp))
      throw invalid(`Two datapoints given for the period at ${new Date(point.timestamp).toISOString()}.`);
    seen.add(point.timestamp);
    inRange.push(point);
  }
  return inRange.sort((a, b) => b.timestamp - a.timestamp);
}

/**
 * AWS's early ALARM for intermittent data: within the last N periods, the oldest breaching real
 * datapoint is at least M periods old (the newest period is 1 old) and none after it is good.
 */
function prematureAlarm(alarm: AlarmRule, range: readonly number[], real: readonly Datapoint[]): boolean {
  const lastN = range.slice(-alarm.evaluationPeriods);
  const byPeriod = new Map(real.map((p) => [p.timestamp, p.value]));
  const ages = lastN.map((t, i) => ({ age: lastN.length - i, value: byPeriod.get(t) }));
  const oldestBreach = ages.find(
    (a) => a.value !== undefined && breaches(alarm.comparisonOperator, a.value, alarm.threshold),
  );
  if (oldestBreach === undefined || oldestBreach.age < alarm.datapointsToAlarm) return false;
  return ages.every(
    (a) =>
      a.age >= oldestBreach.age ||
      a.value === undefined ||
      breaches(alarm.comparisonOperator, a.value, alarm.threshold),
  );
}

/** The counts the verdict weighs. */
interface Tally {
  readonly real: number;
  readonly breaching: number;
  readonly filled: number;
  readonly premature: boolean;
}

/** The state the evaluated datapoints call for, or undefined to keep the current one. */
function verdict(alarm: AlarmRule, t: Tally): AlarmState | undefined {
  const m = alarm.datapointsToAlarm;
  const good = t.real - t.breaching;
  switch (alarm.treatMissingData) {
    case 'breaching':
      return t.breaching + t.filled >= m ? 'ALARM' : 'OK';
    case 'notBreaching':
      return t.breaching >= m ? 'ALARM' : 'OK';
    case 'missing':
    case 'ignore':
      if (t.breaching >= m) return 'ALARM';
      if (good >= alarm.evaluationPeriods - m + 1) return 'OK';
      return alarm.treatMissingData === 'missing' && t.premature ? 'ALARM' : undefined;
  }
}

/**
 * Evaluates an alarm over its evaluation range. Deterministic; never reads the clock.
 * @throws PhantomError Validation for a non-finite datapoint or threshold, two datapoints in one
 * period, or EvaluationPeriods / DatapointsToAlarm out of range.
 */
export function evaluateAlarm(input: AlarmEvaluationInput): AlarmEvaluation {
  const { alarm, current } = input;
  checkRule(alarm);
  if (!Number.isFinite(input.now)) throw invalid(`now must be a finite instant, got ${input.now}.`);
  const n = alarm.evaluationPeriods;
  const evaluated = realInRange(input.range, input.datapoints).slice(0, n);
  const data = reasonData({ ...input, ...alarm, evaluated });
  const filled = n - evaluated.length;
  if (evaluated.length === 0 && (alarm.treatMissingData === 'missing' || alarm.treatMissingData === 'ignore')) {
    const state = alarm.treatMissingData === 'missing' ? 'INSUFFICIENT_DATA' : current;
    return { state, changed: state !== current, reason: insufficientReason(n), reasonData: data };
  }
  const isBreach = (p: Datapoint): boolean => breaches(alarm.comparisonOperator, p.value, alarm.threshold);
  const breaching = evaluated.filter(isBreach);
  const premature = filled > 0 && prematureAlarm(alarm, input.range, evaluated);
  const state = verdict(alarm, { real: evaluated.length, breaching: breaching.length, filled, premature }) ?? current;
  if (state === 'INSUFFICIENT_DATA')
    return { state, changed: false, reason: insufficientReason(filled), reasonData: data };
  const fillsBreach = alarm.treatMissingData === 'breaching';
  const fillsCounted = alarm.treatMissingData === 'breaching' || alarm.treatMissingData === 'notBreaching';
  const counted = state === 'ALARM' ? breaching : evaluated.filter((p) => !isBreach(p));
  const reason = crossingReason({
    to: state === 'ALARM' ? 'ALARM' : 'OK',
    from: current,
    counted,
    received: evaluated.length,
    count: counted.length + (fillsCounted && fillsBreach === (state === 'ALARM') ? filled : 0),
    evaluated: n,
    minimum: state === 'ALARM' ? alarm.datapointsToAlarm : n - alarm.datapointsToAlarm + 1,
    threshold: alarm.threshold,
    operator: alarm.comparisonOperator,
    filled: fillsCounted ? filled : 0,
    filledAs: fillsBreach ? 'Breaching' : 'NonBreaching',
  });
  return { state, changed: state !== current, reason, reasonData: data };
}
