import type { AlarmState, ComparisonOperator } from '../../domain/alarm.ts';

/**
 * CloudWatch-shaped state reasons: the text (`StateReason`) and the JSON data
 * (`StateReasonData`) an alarm records on a transition. Pure formatting.
 */

/** One aggregated datapoint: the start of its period (epoch ms) and the statistic's value. */
export interface Datapoint {
  readonly timestamp: number;
  readonly value: number;
}

/** CloudWatch's StateReasonData shape (version 1.0). */
export interface AlarmReasonData {
  readonly version: '1.0';
  readonly queryDate: string;
  readonly startDate?: string;
  readonly statistic?: string;
  readonly period: number;
  /** Values of the evaluated real datapoints, oldest first. */
  readonly recentDatapoints: number[];
  readonly threshold: number;
  /** The evaluated real datapoints, newest first. */
  readonly evaluatedDatapoints: { timestamp: string; value: number }[];
}

const OPERATOR_TEXT: Record<ComparisonOperator, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

/** A number as CloudWatch (Java's Double.toString) prints it: 72.0, 0.5, 1.0E7, 1.0E-4. */
export function formatValue(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude === 0 || (magnitude >= 1e-3 && magnitude < 1e7))
    return Number.isInteger(value) ? value.toFixed(1) : String(value);
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** A period start as the reason text shows it: `dd/MM/yy HH:mm:ss`, UTC. */
export function formatReasonTime(epochMs: number): string {
  const d = new Date(epochMs);
  const date = `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCFullYear() % 100)}`;
  return `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** An instant as StateReasonData shows it: `2026-12-07T10:01:00.000+0000`. */
export const formatReasonDate = (epochMs: number): string => new Date(epochMs).toISOString().replace('Z', '+0000');

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const wasWere = (n: number): string => (n === 1 ? 'was' : 'were');
const listed = (points: readonly Datapoint[]): string =>
  `[${points.map((p) => `${formatValue(p.value)} (${formatReasonTime(p.timestamp)})`).join(', ')}]`;

/** What a threshold-crossed reason says: who crossed, over how many, with what filled in. */
export interface CrossingText {
  readonly to: 'ALARM' | 'OK';
  readonly from: AlarmState;
  /** The real datapoints the sentence counts (breaching ones for ALARM, the others for OK), newest first. */
  readonly counted: readonly Datapoint[];
  /** How many real datapoints were evaluated. */
  readonly received: number;
  /** How many datapoints the sentence counts in all, filled ones included. */
  readonly count: number;
  readonly evaluated: number;
  readonly minimum: number;
  readonly threshold: number;
  readonly operator: ComparisonOperator;
  /** Missing periods filled in, and as what. */
  readonly filled: number;
  readonly filledAs?: 'Breaching' | 'NonBreaching';
}

/** The `Threshold Crossed: …` sentence. */
export function crossingReason(c: CrossingText): string {
  const comparison = `${c.to === 'OK' ? 'not ' : ''}${OPERATOR_TEXT[c.operator]} the threshold (${formatValue(c.threshold)})`;
  const filled =
    c.filled > 0 ? ` ${plural(c.filled, 'missing datapoint')} ${wasWere(c.filled)} treated as [${c.filledAs}].` : '';
  if (c.received === 0)
    return `Threshold Crossed: no datapoints were received for ${plural(c.filled, 'period')} and ${plural(c.filled, 'missing datapoint')} ${wasWere(c.filled)} treated as [${c.filledAs}].`;
  if (c.evaluated === 1) return `Threshold Crossed: 1 datapoint ${listed(c.counted)} was ${comparison}.`;
  return (
    `Threshold Crossed: ${c.count} out of the last ${c.evaluated} datapoints ${listed(c.counted)} ${wasWere(c.count)} ` +
    `${comparison} (minimum ${plural(c.minimum, 'datapoint')} for ${c.from} -> ${c.to} transition).${filled}`
  );
}

/** The `Insufficient Data: …` sentence for `unknown` missing periods. */
export const insufficientReason = (unknown: number): string =>
  `Insufficient Data: ${plural(unknown, 'datapoint')} ${wasWere(unknown)} unknown.`;

/** StateReasonData for the evaluated real datapoints (`evaluated` newest first). */
export function reasonData(input: {
  now: number;
  period: number;
  threshold: number;
  statistic?: string;
  evaluated: readonly Datapoint[];
}): AlarmReasonData {
  const oldest = input.evaluated[input.evaluated.length - 1];
  return {
    version: '1.0',
    queryDate: formatReasonDate(input.now),
    ...(oldest !== undefined ? { startDate: formatReasonDate(oldest.timestamp) } : {}),
    ...(input.statistic !== undefined ? { statistic: input.statistic } : {}),
    period: input.period,
    recentDatapoints: [...input.evaluated].reverse().map((p) => p.value),
    threshold: input.threshold,
    evaluatedDatapoints: input.evaluated.map((p) => ({ timestamp: formatReasonDate(p.timestamp), value: p.value })),
  };
}
